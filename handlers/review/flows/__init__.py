"""The chat-facing parts of the year review: one module per screen and its conversation."""
