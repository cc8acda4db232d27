#!/usr/bin/env bash
# Fails when the committed stubs in src/policyhub/v1 differ from what proto/ generates.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python -m grpc_tools.protoc -I proto \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  proto/policyhub/v1/*.proto
status=0
for generated in "$out"/policyhub/v1/*.py*; do
  committed="src/policyhub/v1/$(basename "$generated")"
  if ! cmp -s "$generated" "$committed"; then
    echo "stale generated stub: $committed (run scripts/gen_proto.sh and commit)" >&2
    status=1
  fi
done
exit $status
