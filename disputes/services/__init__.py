"""Every change of a case goes through these functions: atomic, row-locked, guarded on the
current state, and recorded as a CaseEvent. No other code changes a case's status.

Split by topic; everything public is imported from here (`from disputes import services`)."""

from disputes.services.config import (
    DEFAULT_HOURS,
    LEVEL_ABOVE,
    WARN_SHARE,
    categories_ensure_defaults,
    categories_ensure_started,
    category_for_grid,
    category_of_county,
    county_id_of,
    deadline_hours,
    deadline_rule_errors,
    deadline_times,
)
from disputes.services.reporting import (
    MAX_PARTIES,
    CaseDraft,
    ReportResult,
    case_report,
    case_report_draft,
    parties_errors,
)
from disputes.services.workflow import (
    ALLOWED_FROM,
    TransitionError,
    case_accept,
    case_assign,
    case_close,
    case_escalate,
    case_evaluate,
    case_merge,
    case_record_action,
    case_reopen,
    case_resolve,
    case_return,
    case_supervise,
)

__all__ = [
    "ALLOWED_FROM",
    "DEFAULT_HOURS",
    "LEVEL_ABOVE",
    "MAX_PARTIES",
    "WARN_SHARE",
    "CaseDraft",
    "ReportResult",
    "TransitionError",
    "case_accept",
    "case_assign",
    "case_close",
    "case_escalate",
    "case_evaluate",
    "case_merge",
    "case_record_action",
    "case_reopen",
    "case_report",
    "case_report_draft",
    "case_resolve",
    "case_return",
    "case_supervise",
    "categories_ensure_defaults",
    "categories_ensure_started",
    "category_for_grid",
    "category_of_county",
    "county_id_of",
    "deadline_hours",
    "deadline_rule_errors",
    "deadline_times",
    "parties_errors",
]
