from agreements.models.agreement_settings import AgreementSettings
from agreements.models.agreements import (
    HEALTH_LABELS,
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementVersion,
)
from agreements.models.calendar import CalendarFeed
from agreements.models.evaluations import (
    CHECKLIST,
    CHECKLIST_KEYS,
    ChecklistAnswer,
    Evaluation,
    EvaluationResponse,
)

__all__ = [
    "CHECKLIST",
    "CHECKLIST_KEYS",
    "HEALTH_LABELS",
    "Agreement",
    "AgreementDocument",
    "AgreementParty",
    "AgreementSettings",
    "AgreementVersion",
    "CalendarFeed",
    "ChecklistAnswer",
    "Evaluation",
    "EvaluationResponse",
]
