"""The published language of shigoto-conbini: integration events every service may read."""
