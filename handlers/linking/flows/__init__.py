"""The linking feature's chat-facing modules: linking a person's chat apps, and linking group chats."""
