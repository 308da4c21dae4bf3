"""The problems feature's chat-facing modules: the report form, the reporter's own reports, the inbox, handling."""
