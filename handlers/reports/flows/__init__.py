"""The chat-facing side of group reports: one module per conversation."""
