"""Tables of problems (being written)."""
