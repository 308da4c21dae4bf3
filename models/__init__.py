"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

# The tables of the newer features register by importing their modules; import their classes from the module.
from models import cameras, fire_safety, problems, review, tip_rewards  # noqa: F401
from models.alerts import Alert, AlertAck, AlertIdentifier, AlertTarget
from models.conversation import ConversationState, ProcessedUpdate
from models.leases import PollLease
from models.linking import LinkCode
from models.mediation import MediationCase, MediationEvent, MediationParty, MediationSession, MediatorRelative
from models.outbox import OutboxMessage, OutboxStatus, Priority
from models.people import ChannelIdentity, LinkedChat, Person, Role, RoleGrant
from models.places import Area, Group, GroupJoin, Household, Province, Ward
from models.pledges import PledgeCampaign  # registers every pledge table
from models.ratelimits import RateCounter
from models.records import AuditEntry, ConsentRecord, Invite
from models.reports import DigestSetting, ReportConfig, ReportSubmission, TickRun
from models.tips import Tip, TipAttachment, TipMessage, TipRateCounter, TipRoute, TipStatus
from models.web import WebMessage
from models.zalo import ZaloOACredentials

__all__ = [
    "Alert",
    "AlertAck",
    "AlertIdentifier",
    "AlertTarget",
    "Area",
    "AuditEntry",
    "ChannelIdentity",
    "ConsentRecord",
    "ConversationState",
    "DigestSetting",
    "Group",
    "GroupJoin",
    "Household",
    "Invite",
    "LinkCode",
    "LinkedChat",
    "MediationCase",
    "MediationEvent",
    "MediationParty",
    "MediationSession",
    "MediatorRelative",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "PledgeCampaign",
    "PollLease",
    "Priority",
    "ProcessedUpdate",
    "Province",
    "RateCounter",
    "ReportConfig",
    "ReportSubmission",
    "Role",
    "RoleGrant",
    "TickRun",
    "Tip",
    "TipAttachment",
    "TipMessage",
    "TipRateCounter",
    "TipRoute",
    "TipStatus",
    "Ward",
    "WebMessage",
    "ZaloOACredentials",
]
