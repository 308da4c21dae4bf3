"""Cameras for security ("Camera với ANTT"): residents' cameras registered with their owners in control, and
footage requests from the ward police. Everything the feature plugs into the app is declared in router.py."""

from handlers.cameras.router import router

__all__ = ["router"]
