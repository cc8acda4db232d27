#!/usr/bin/env bash
# Fails when the committed stubs in src/policyhub_client/v1 differ from what proto/ generates.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$here/scripts/gen_stubs.sh" "$out"
status=0
for generated in "$out"/*; do
  committed="$here/src/policyhub_client/v1/$(basename "$generated")"
  if ! cmp -s "$generated" "$committed"; then
    echo "stale generated stub: clients/python/src/policyhub_client/v1/$(basename "$generated") (run clients/python/scripts/gen_stubs.sh)" >&2
    status=1
  fi
done
exit $status
