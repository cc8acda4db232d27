#!/usr/bin/env bash
# Fails when regenerating the stubs changes them: the committed stubs must match proto/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/gen_proto.sh
if ! git diff --quiet -- src/policyhub/v1; then
  echo "generated stubs are stale: run scripts/gen_proto.sh and commit" >&2
  git --no-pager diff --stat -- src/policyhub/v1 >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- src/policyhub/v1)
if [ -n "$untracked" ]; then
  echo "generated stubs not committed: $untracked" >&2
  exit 1
fi
