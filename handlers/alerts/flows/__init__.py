"""The chat-facing parts of the alerts feature: one module per conversation or screen."""
