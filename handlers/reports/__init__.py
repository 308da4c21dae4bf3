"""Periodic group reports: ward admins set them up (/caidatbaocao), group admins answer (/baocao), police read
and export them (/xembaocao); reminders and the list of missing groups come from a tick; the weekly digest
carries the report status, and anyone turns their digest off or on with /bantin."""

from handlers.reports.router import router

__all__ = ["router"]
