"""Channel adapters: translate platform wire formats to core events and core replies back to the wire."""
