"""Unit tests: no network, seconds."""
