"""The chat-facing parts of the tips feature: one module per conversation or screen."""
