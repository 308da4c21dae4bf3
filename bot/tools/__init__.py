"""Developer and operator tools run with `python -m`: the README tables, the gettext catalogs, the demo ward."""
