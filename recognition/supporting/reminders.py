"""The daily sweep's reminder of certifications about to expire: one notice to the firm's applicants
for each expiry, through the outbox (recognition/notifications mails it to them).

`reminded_for` keeps the expiry day a certification was reminded of, so a second sweep finds nothing
to do, and a renewed certification (a new expiry) is reminded again when its new expiry comes near."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select, update

from recognition.accounts.models import Role
from recognition.cases.models import Notification
from recognition.extensions import db
from recognition.supporting.dashboard import expiring_between
from recognition.supporting.models import FirmCertification, SupplierProfile

CERTIFICATION_EXPIRING = "certification_expiring"


def remind_expiring_certifications(today: date) -> int:
    """Queue a reminder for each certification expiring within the dashboard's window (today to
    EXPIRING_WITHIN_DAYS days later) not yet reminded of that expiry; returns how many. The caller
    commits.

    One conditional UPDATE marks them reminded and returns them, so two sweeps running at once never
    remind of one expiry twice (the second finds the rows already marked)."""
    claimed = (
        db.session.execute(
            update(FirmCertification)
            .where(
                expiring_between(today),
                or_(
                    FirmCertification.reminded_for.is_(None),
                    FirmCertification.reminded_for != FirmCertification.expires_on,
                ),
            )
            .values(reminded_for=FirmCertification.expires_on)
            .returning(FirmCertification.id)
            .execution_options(synchronize_session="fetch")
        )
        .scalars()
        .all()
    )
    if not claimed:
        return 0
    rows = db.session.execute(
        select(FirmCertification, SupplierProfile.enterprise_id)
        .join(FirmCertification.profile)
        .where(FirmCertification.id.in_(claimed))
        .order_by(FirmCertification.id)
    )
    for certification, enterprise_id in rows:
        assert certification.expires_on is not None  # expiring_between() picked it by its expiry
        db.session.add(
            Notification(
                application_id=None,
                event=CERTIFICATION_EXPIRING,
                recipient_role=Role.applicant.value,
                recipient_enterprise_id=enterprise_id,
                payload={
                    "certification_id": certification.id,
                    "standard": certification.standard_label,
                    "number": certification.number,
                    "expires_on": certification.expires_on.isoformat(),
                },
            )
        )
    return len(claimed)
