"""Tables of tip rewards (being written)."""
