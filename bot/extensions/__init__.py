"""Extension points a feature declares on its router: scheduled ticks, weekly-digest sections and columns,
scam-check sources and personal-data providers. The registry (bot/core/router.py) collects them."""
