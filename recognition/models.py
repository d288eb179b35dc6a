"""Every domain's models, imported together so the metadata (and Alembic) sees the whole schema."""

from recognition.accounts.models import (  # noqa: F401
    AdministrativeUnit,
    Enterprise,
    RoleMembership,
    Sector,
    User,
)
from recognition.cases.models import (  # noqa: F401
    Application,
    ApplicationFigures,
    AuditEvent,
    Document,
    Notification,
    Product,
    ReceiptCounter,
    SupplementRequest,
    VettingReport,
)
from recognition.honours.models import Certificate, Objection  # noqa: F401, E402
from recognition.ratelimit import RateLimitHit  # noqa: F401, E402
from recognition.reports.models import CityTotals  # noqa: F401, E402
from recognition.reports.support_models import SupportRecord  # noqa: F401, E402
from recognition.review.models import (  # noqa: F401
    CouncilMember,
    Criterion,
    CriterionAssignment,
    CriterionGroup,
    ReviewAssignment,
    Score,
    SelfAssessment,
)
from recognition.rounds.models import CalendarException, Programme, Round  # noqa: F401
