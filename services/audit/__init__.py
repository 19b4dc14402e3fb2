"""Audit: replay every service's record, prove it untampered, answer "as of T", report KPIs."""
