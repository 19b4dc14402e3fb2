"""Integration tests: real PostgreSQL and a real nats-server."""
