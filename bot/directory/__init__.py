"""Who and where: people and their roles, provinces and wards, and role invites."""
