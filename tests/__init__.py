"""The test suite: unit (no network), integration (PostgreSQL, NATS), e2e (real processes)."""
