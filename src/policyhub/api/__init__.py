"""The gRPC face: the PolicyHub servicer, request decoding, errors to gRPC status."""
