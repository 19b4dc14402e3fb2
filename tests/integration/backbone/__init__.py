"""Backbone plumbing against a real nats-server and PostgreSQL."""
