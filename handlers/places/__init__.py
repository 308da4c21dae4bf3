"""Places: a ward's residential areas and self-managed groups, set up by the ward admin (/diaban, or a spreadsheet
imported there or with `andan places import`), with their leaders' invites, the groups' reusable join links
(/linknhom), and a new group chosen by the people of a group the ward retired."""

from handlers.places.router import router

__all__ = ["router"]
