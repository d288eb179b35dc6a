"""Every domain's models, imported together so the metadata (and Alembic) sees the whole schema: each
module that declares a table, imported for that effect alone."""

import recognition.accounts.models  # noqa: F401
import recognition.cases.models  # noqa: F401
import recognition.honours.models  # noqa: F401
import recognition.ratelimit  # noqa: F401
import recognition.reports.models  # noqa: F401
import recognition.reports.support_models  # noqa: F401
import recognition.review.models  # noqa: F401
import recognition.rounds.models  # noqa: F401
import recognition.supporting.models  # noqa: F401
