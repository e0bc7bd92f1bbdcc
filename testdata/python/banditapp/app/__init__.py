"""A small service with the mistakes bandit is meant to catch."""
