"""The platform-neutral conversation core: events in, replies out, flows kept in the database."""
