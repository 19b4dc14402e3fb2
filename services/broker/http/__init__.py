"""The broker's HTTP API for requesters and coordinators."""
