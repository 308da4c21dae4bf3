"""Tables of cameras (being written)."""
