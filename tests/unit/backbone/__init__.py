"""Unit tests of the shared event plumbing (no network)."""
