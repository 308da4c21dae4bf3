"""Tables of fire safety (being written)."""
