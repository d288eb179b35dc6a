"""The supporting-industries programme's dashboard against Plan 35/KH-UBND's targets."""

from __future__ import annotations

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint

bp = restricted_blueprint(
    "supporting_dashboard", __name__, "/secretariat/supporting/dashboard", Role.secretariat
)
