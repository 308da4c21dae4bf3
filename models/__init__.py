"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

from models.conversation import ConversationState, ProcessedUpdate
from models.outbox import OutboxMessage, OutboxStatus, Priority
from models.people import ChannelIdentity, LinkedChat, Person, Role, RoleGrant
from models.places import Area, Group, Household, Province, Ward
from models.records import AuditEntry, ConsentRecord, Invite
from models.web import WebMessage

__all__ = [
    "Area", "AuditEntry", "ChannelIdentity", "ConsentRecord", "ConversationState", "Group", "Household",
    "Invite", "LinkedChat", "OutboxMessage", "OutboxStatus", "Person", "Priority", "ProcessedUpdate",
    "Province", "Role", "RoleGrant", "Ward", "WebMessage",
]
