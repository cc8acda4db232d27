#!/usr/bin/env bash
# Regenerates the client's own stubs in src/policyhub_client/v1 from the repository's proto/
# (usage: gen_stubs.sh [OUTPUT_DIR]; needs grpcio-tools==1.85.1, as scripts/gen_proto.sh).
#
# protoc writes `from policyhub.v1 import ...`, which would import the *server* package; the one
# rewrite below points those imports at policyhub_client.v1 instead. The descriptors keep their
# file names (policyhub/v1/*.proto), so the server's and the client's stubs, built from the same
# proto, can load side by side in one process.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
proto="$here/../../proto"
dest="${1:-$here/src/policyhub_client/v1}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python -m grpc_tools.protoc -I "$proto" \
  --python_out="$work" --pyi_out="$work" --grpc_python_out="$work" \
  "$proto/policyhub/v1/submissions.proto" "$proto/policyhub/v1/policyhub.proto"
mkdir -p "$dest"
for generated in "$work"/policyhub/v1/*_pb2*.py*; do
  sed -e 's/^from policyhub\.v1 import /from policyhub_client.v1 import /' \
      -e "s/'policyhub\.v1\.\([a-z_]*_pb2\)'/'policyhub_client.v1.\1'/" \
      "$generated" > "$dest/$(basename "$generated")"
done
