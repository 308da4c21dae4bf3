"""The fire-safety conversations and screens, one module each (see handlers/firesafety/router.py)."""
