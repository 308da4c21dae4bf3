"""The chat-facing parts of the pledges feature: one module per command and its conversation."""
