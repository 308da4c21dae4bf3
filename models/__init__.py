"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

from models.alerts import Alert, AlertAck, AlertIdentifier, AlertTarget  # noqa: F401
from models.conversation import ConversationState, ProcessedUpdate
from models.linking import LinkCode  # noqa: F401
from models.mediation import MediationCase, MediationEvent, MediationParty, MediationSession, MediatorRelative  # noqa: F401,E501
from models.outbox import OutboxMessage, OutboxStatus, Priority
from models.people import ChannelIdentity, LinkedChat, Person, Role, RoleGrant
from models.places import Area, Group, Household, Province, Ward
from models.pledges import PledgeCampaign  # noqa: F401  (registers every pledge table)
from models.ratelimits import RateCounter  # noqa: F401
from models.records import AuditEntry, ConsentRecord, Invite
from models.reports import DigestSetting, ReportConfig, ReportSubmission, TickRun  # noqa: F401
from models.tips import Tip, TipAttachment, TipMessage, TipRateCounter, TipRoute, TipStatus  # noqa: F401
from models.web import WebMessage
from models.zalo import ZaloOACredentials  # noqa: F401

__all__ = [
    "Area", "AuditEntry", "ChannelIdentity", "ConsentRecord", "ConversationState", "Group", "Household",
    "Invite", "LinkedChat", "OutboxMessage", "OutboxStatus", "Person", "Priority", "ProcessedUpdate",
    "Province", "Role", "RoleGrant", "Ward", "WebMessage",
]
