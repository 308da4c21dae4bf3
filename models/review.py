"""Tables of review (being written)."""
