"""Grassroots mediation (/hoagiai): requests screened for police matters, assignment free of conflicts of
interest, sessions with reminders, outcomes and their follow-up, the mediation book, digest figures."""

from handlers.mediation.router import router

__all__ = ["router"]
