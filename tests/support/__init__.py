"""Real servers for tests, started as local processes: PostgreSQL and nats-server."""
