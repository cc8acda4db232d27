#!/usr/bin/env bash
# Regenerates the Python stubs in src/policyhub/v1 from proto/.
# CI runs it and fails if the committed stubs differ (see scripts/check_generated.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m grpc_tools.protoc -I proto \
  --python_out=src --pyi_out=src --grpc_python_out=src \
  proto/policyhub/v1/*.proto
