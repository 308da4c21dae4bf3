"""Tips to the ward police: the resident's form, the receipt-code look-up, the police inbox, clocks and retention.

Anonymity is the heart of it: see models/tips.py for what is (and is never) stored. Everything the feature
plugs into the app is declared in router.py.
"""

from handlers.tips.router import router

__all__ = ["router"]
