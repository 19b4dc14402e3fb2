"""The ways notify reaches a worker: email, LINE, SMS (the web inbox and phone live in http)."""
