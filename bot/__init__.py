"""An Dân: the application package (settings, storage plumbing, conversation core, channels, CLI)."""
