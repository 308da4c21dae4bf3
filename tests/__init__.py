"""The test suite: journeys through real protocols, on SQLite and PostgreSQL."""
