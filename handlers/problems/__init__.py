"""Everyday problems reported to the ward ("phản ánh, kiến nghị"): a broken light, rubbish, a blocked alley;
followed by number, merged when several people report the same thing. Declared in router.py."""

from handlers.problems.router import router

__all__ = ["router"]
