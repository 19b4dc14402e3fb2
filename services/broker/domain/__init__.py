"""The broker's domain: job requests, tasks, workers and the rules that bind them."""
