"""The broker's published language: domain events → contract events."""
