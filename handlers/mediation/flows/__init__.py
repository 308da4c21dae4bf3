"""The chat-facing modules of mediation: one per conversation or screen, each with its own router."""
