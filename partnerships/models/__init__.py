"""The partnerships' models, by aggregate: organisations and users, agreements, budgets,
meetings. Every public name is importable from here (`from partnerships.models import X`).

Money helpers (`format_sek`, `round_money`, `MoneyField`) and `Role` live in iop; they are
imported here too, so older imports of them from partnerships.models keep working.
"""

from iop.money import MoneyField, format_sek, round_money
from iop.roles import Role

from .agreements import (
    Agreement,
    AgreementParty,
    AgreementQuerySet,
    AgreementVersion,
    Extension,
    ExtensionApproval,
    Goal,
    Indicator,
    IndicatorTarget,
    InvoicingPair,
    Resource,
    add_months,
    too_late_to_extend,
)
from .budgets import (
    ActualCost,
    Budget,
    CostLine,
    FundingShare,
    IndexSeries,
    IndexValue,
    OtherFunding,
    describe_deviation,
    split_shares,
)
from .documents import Document, DocumentFile, document_storage
from .meetings import (
    ActionItem,
    ActionItemQuerySet,
    Attendee,
    CalendarToken,
    Decision,
    FollowupSummary,
    Meeting,
    MeetingQuerySet,
    SentReminder,
    covered_quarters,
    quarter_bounds,
    required_followups,
)
from .organisations import ContactPerson, Organisation, User

__all__ = [
    "ActionItem",
    "ActionItemQuerySet",
    "ActualCost",
    "Agreement",
    "AgreementParty",
    "AgreementQuerySet",
    "AgreementVersion",
    "Attendee",
    "Budget",
    "CalendarToken",
    "ContactPerson",
    "CostLine",
    "Decision",
    "Document",
    "DocumentFile",
    "Extension",
    "ExtensionApproval",
    "FollowupSummary",
    "FundingShare",
    "Goal",
    "IndexSeries",
    "IndexValue",
    "Indicator",
    "IndicatorTarget",
    "InvoicingPair",
    "Meeting",
    "MeetingQuerySet",
    "MoneyField",
    "Organisation",
    "OtherFunding",
    "Resource",
    "Role",
    "SentReminder",
    "User",
    "add_months",
    "too_late_to_extend",
    "covered_quarters",
    "describe_deviation",
    "document_storage",
    "format_sek",
    "quarter_bounds",
    "required_followups",
    "round_money",
    "split_shares",
]
