"""Linking: one person on several chat apps (/lienket), and group chats linked to a group or the ward police
(/lienketnhom), each with a one-time code."""

from handlers.linking.router import router

__all__ = ["router"]
