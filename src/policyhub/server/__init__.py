"""Serving: the supervisor, worker processes, hot reload, frozen pack sets, health checks."""
