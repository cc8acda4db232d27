"""Generated protobuf and gRPC stubs for policyhub.v1 (scripts/gen_proto.sh)."""
