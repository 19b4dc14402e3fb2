"""Tests of the published contracts and their generated documents."""
