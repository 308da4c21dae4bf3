"""The year in review: criteria of Thông tư 124/2021/TT-BCA, group ratings, and the recognition file built from
the figures every feature declares (bot/extensions/year_figures.py). Declared in router.py."""

from handlers.review.router import router

__all__ = ["router"]
