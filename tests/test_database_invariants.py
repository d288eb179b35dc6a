"""The database refuses a state or status the code does not know, and a review assignment or a
vetting report that breaks its own rules (issue 17): raw SQL, past the ORM and the workflow, on SQLite
and PostgreSQL alike."""

from datetime import timedelta

import pytest
from sqlalchemy import CheckConstraint, Enum, text
from sqlalchemy.exc import IntegrityError

from recognition.accounts.models import Role
from recognition.cases.models import Document, Notification, VettingReport
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.honours.models import Certificate, Objection
from recognition.notifications.models import OutgoingMail
from recognition.reports.support_models import SupportKind, SupportRecord
from recognition.review.models import ReviewAssignment
from tests.conftest import fire

BOGUS = "approved_by_magic"
# Short enough for every column (PostgreSQL refuses a value longer than the VARCHAR before any check).
UNKNOWN = "magic"


def test_every_enum_column_has_a_check_listing_exactly_its_members():
    """A column added with an Enum, or a member added to one, is covered without anyone remembering."""
    columns = [(t, c) for t in db.metadata.sorted_tables for c in t.columns if isinstance(c.type, Enum)]
    assert len(columns) >= 15
    for table, column in columns:
        checks = {ck.name: str(ck.sqltext) for ck in table.constraints if isinstance(ck, CheckConstraint)}
        name = f"ck_{table.name}_known_{column.name}"
        members = ", ".join(f"'{m.name}'" for m in column.type.enum_class)
        assert checks.get(name) == f"{column.name} IN ({members})", name


@pytest.fixture
def world(make):
    """One row in every table with a state or status column (the application endorsed, so it has a
    vetting report), keyed by table name."""
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "endorse", officer)
    today = local_today()
    certificate = Certificate(
        serial="CNCL-TEST-0001",
        sequence=1,
        application_id=application.id,
        round_id=application.round_id,
        product_id=application.product_id,
        enterprise_id=application.enterprise_id,
        decision_number="1234/QĐ-UBND",
        decision_date=today,
        issued_on=today,
        valid_until=today + timedelta(days=365),
        product_name=application.product.name,
        enterprise_name=application.enterprise.name,
        tax_code=application.enterprise.tax_code,
        sector_id=application.enterprise.sector_id,
    )
    objection = Objection(
        application_id=application.id, name="Lê Văn Cường", contact="cuong@example.vn", text="Ý kiến"
    )
    notification = Notification(application_id=application.id, event="endorse", recipient_role="applicant")
    db.session.add_all([certificate, objection, notification])
    db.session.flush()
    mail = OutgoingMail(
        notification_id=notification.id, to_address="a@example.vn", locale="vi", subject="S", body="B"
    )
    support = SupportRecord(
        enterprise_id=application.enterprise_id,
        kind=SupportKind.training,
        date=today,
        programme="Khuyến công",
        recorded_by_id=officer.id,
    )
    db.session.add_all([mail, support])
    db.session.commit()
    council = make.user(Role.council_member)
    document = db.session.query(Document).filter_by(application_id=application.id).first()
    report = db.session.query(VettingReport).filter_by(application_id=application.id).one()
    return {
        "applications": application.id,
        "products": application.product_id,
        "documents": document.id,
        "rounds": application.round_id,
        "administrative_units": application.enterprise.unit_id,
        "role_memberships": council.memberships[0].id,
        "certificates": certificate.id,
        "objections": objection.id,
        "outgoing_mails": mail.id,
        "support_records": support.id,
        "vetting_reports": report.id,
    }


# (table, column, a valid value that the row's other constraints accept too)
ENUM_COLUMNS = [
    ("applications", "state", "under_review"),
    ("applications", "vetting_body", "secretariat"),
    ("applications", "technology_level", "modern"),
    ("products", "category", "handicraft"),
    ("documents", "kind", "other"),
    ("rounds", "status", "closed"),
    ("rounds", "vetting_body", "secretariat"),
    ("rounds", "supplement_expiry", "withdraw"),
    ("administrative_units", "level", "ward"),
    ("role_memberships", "role", "secretariat"),
    ("certificates", "status", "expired"),
    ("objections", "status", "answered"),
    ("outgoing_mails", "status", "sent"),
    ("support_records", "kind", "finance"),
    ("vetting_reports", "outcome", "endorsed"),
]


def refused(statement: str, constraint: str, **params) -> None:
    """The statement fails on that check constraint (named, so no other rule is what refused it)."""
    with pytest.raises(IntegrityError) as error:
        with db.session.begin_nested():
            db.session.execute(text(statement), params)
    assert constraint in str(error.value.orig)


@pytest.mark.parametrize(
    ("table", "column", "valid"), ENUM_COLUMNS, ids=[f"{t}.{c}" for t, c, _ in ENUM_COLUMNS]
)
def test_an_unknown_value_is_refused_and_a_known_one_passes(world, table, column, valid):
    update = f"UPDATE {table} SET {column} = :value WHERE id = :id"  # noqa: S608 -- names from the list above
    refused(update, f"ck_{table}_known_{column}", value=UNKNOWN, id=world[table])
    db.session.execute(text(update), {"value": valid, "id": world[table]})
    db.session.commit()
    stored = db.session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": world[table]})  # noqa: S608
    assert stored.scalar_one() == valid


def test_the_reported_insert_of_a_magic_state_is_refused(make):
    application = make.application()
    refused(
        "INSERT INTO applications (round_id, product_id, enterprise_id, state, environmental_compliance,"
        " compliance_committed, declaration_accepted, created_at, submitted_at, receipt_code, version)"
        " VALUES (:round, :product, :enterprise, :state, '', :no, :no, :now, :now, 'TEST-0001', 1)",
        "ck_applications_known_state",
        round=application.round_id,
        product=make.application().product_id,
        enterprise=application.enterprise_id,
        state=BOGUS,
        no=False,
        now=utcnow(),
    )


@pytest.fixture
def assignment(make):
    application = make.application()
    reviewer = make.user(Role.council_member)
    row = ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id)
    db.session.add(row)
    db.session.commit()
    return row.id


SET_ASSIGNMENT = "UPDATE review_assignments SET {} WHERE id = :id"


@pytest.mark.parametrize(
    ("columns", "params", "constraint"),
    [
        ("has_conflict = :yes, conflict_reason = NULL", {}, "conflict_has_reason"),
        ("has_conflict = :yes, conflict_reason = ''", {}, "conflict_has_reason"),
        ("has_conflict = :no, conflict_reason = 'Người thân'", {}, "conflict_has_reason"),
        ("submitted_at = :now, total_score = 80", {}, "submitted_without_conflict"),
        (
            "has_conflict = :yes, conflict_reason = 'Người thân', submitted_at = :now, total_score = 80",
            {},
            "submitted_without_conflict",
        ),
        ("has_conflict = :no, total_score = 80", {}, "total_when_submitted"),
        ("has_conflict = :no, submitted_at = :now", {}, "total_when_submitted"),
    ],
    ids=[
        "conflict-without-reason",
        "conflict-with-blank-reason",
        "reason-without-conflict",
        "submitted-undeclared",
        "submitted-with-conflict",
        "total-unsubmitted",
        "submitted-without-total",
    ],
)
def test_a_review_assignment_that_breaks_its_rules_is_refused(assignment, columns, params, constraint):
    values = {"id": assignment, "yes": True, "no": False, "now": utcnow(), **params}
    refused(SET_ASSIGNMENT.format(columns), f"ck_review_assignments_{constraint}", **values)


@pytest.mark.parametrize(
    "columns",
    [
        "has_conflict = :yes, conflict_reason = 'Người thân làm việc tại đây', declared_at = :now",
        "has_conflict = :no, declared_at = :now, submitted_at = :now, total_score = 80",
    ],
    ids=["declared-conflict", "submitted-scores"],
)
def test_a_review_assignment_as_the_services_write_it_passes(assignment, columns):
    db.session.execute(
        text(SET_ASSIGNMENT.format(columns)), {"id": assignment, "yes": True, "no": False, "now": utcnow()}
    )
    db.session.commit()
    assert db.session.get(ReviewAssignment, assignment).declared_at is not None


def test_a_vetting_report_without_its_content_is_refused(world):
    report = world["vetting_reports"]
    refused(
        "UPDATE vetting_reports SET recommendation = NULL WHERE id = :id", "endorsed_has_checklist", id=report
    )
    refused(
        "UPDATE vetting_reports SET no_tax_arrears = NULL WHERE id = :id", "endorsed_has_checklist", id=report
    )
    refused(
        "UPDATE vetting_reports SET outcome = 'rejected' WHERE id = :id", "rejected_has_reason", id=report
    )
    db.session.execute(
        text("UPDATE vetting_reports SET outcome = 'rejected', reason = 'Thiếu hồ sơ' WHERE id = :id"),
        {"id": report},
    )
    db.session.commit()
    assert db.session.get(VettingReport, report).reason == "Thiếu hồ sơ"
