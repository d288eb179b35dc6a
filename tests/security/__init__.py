"""Hostile tests (docs: ../shared/reference/security.md, H01–H40, goals G1, G9, G11).

Shared here: a "world" with one object of every kind on two sides (own and foreign), the actors that
attack it, logged-in clients, and a fingerprint of the whole database to prove refusals change nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, text

from recognition.accounts.models import Enterprise, Role, User
from recognition.cases.audit import anchor_day
from recognition.cases.models import Application, Document
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.honours.models import Certificate, Objection, ObjectionStatus
from recognition.review import services as review_services
from recognition.review.rubric import apply_default_rubric
from recognition.rounds.models import CalendarException, VettingBody
from recognition.supporting.models import SupplierProfile, SupportingSector
from tests.conftest import Factory, fire
from tests.conftest import client_for as client_for  # the security tests import it from here

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

OWN_UNIT, FOREIGN_UNIT, OUTSIDER_UNIT = "X-DONGANH", "P-HADONG", "P-CAUGIAY"

ACTORS = ("anonymous", "applicant", "officer", "council", "secretariat", "admin", "outsider")


@dataclass
class Side:
    """One enterprise's objects at every stage, and the people who own them."""

    enterprise_id: int
    applicant: User
    officer: User
    council: User
    supplement_id: int  # unit-vetted, waiting for the enterprise's supplement (has a receipt)
    review_id: int  # under council review, `council` assigned and declared no conflict
    recognised_id: int  # recognised, with a certificate and an open objection
    secretariat_vetted_id: int  # in a round the secretariat vets, being vetted
    assignment_id: int
    certificate_id: int
    serial: str
    product_id: int
    objection_id: int
    day: str
    documents: dict[int, int] = field(default_factory=dict)  # application id -> a document id


@dataclass
class World:
    round_id: int  # unit-vetted, default rubric, results published
    other_round_id: int  # vetted by the secretariat, results published (nothing recommended)
    own: Side
    foreign: Side
    secretariat: User
    admin: User
    outsider: User  # applicant, officer and council member, but of/for nothing in `own` or `foreign`

    def user(self, actor: str) -> User | None:
        return {
            "anonymous": None,
            "applicant": self.own.applicant,
            "officer": self.own.officer,
            "council": self.own.council,
            "secretariat": self.secretariat,
            "admin": self.admin,
            "outsider": self.outsider,
        }[actor]

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.foreign


def write_evidence(app: Flask, document: Document, content: bytes = PDF_BYTES) -> None:
    """Factory documents carry a made-up hash; put bytes behind it so downloads can be served."""
    write_stored(app, document.sha256, content)


def write_stored(app: Flask, sha256: str, content: bytes = PDF_BYTES) -> None:
    path = app.extensions["evidence_storage"].path_for(sha256)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        with open(path, "wb") as stored:
            stored.write(content)


def _side(app, make: Factory, round_a, round_b, secretariat, unit_code: str, day_offset: int) -> Side:
    enterprise = make.enterprise(unit_code)
    applicant = make.user(Role.applicant, enterprise=enterprise)
    officer = make.user(Role.unit_officer, unit=enterprise.unit)
    council = make.user(Role.council_member)

    supplement = make.application(round=round_a, enterprise=enterprise)
    fire(supplement, "submit", applicant)
    fire(supplement, "start_vetting", officer)
    fire(supplement, "request_supplement", officer)

    review = make.application(round=round_a, enterprise=enterprise)
    fire(review, "submit", applicant)
    fire(review, "start_vetting", officer)
    fire(review, "endorse", officer)
    review_services.add_council_member(round_a, council)
    assignment = review_services.assign_reviewer(review, council)
    assignment.has_conflict = False
    assignment.declared_at = utcnow()
    db.session.commit()
    fire(review, "open_review", secretariat)

    recognised = make.application(round=round_a, enterprise=enterprise)
    fire(recognised, "submit", applicant)
    fire(recognised, "start_vetting", officer)
    fire(recognised, "endorse", officer)
    make.assign_reviewers(recognised, scores=[90], count=1)
    fire(recognised, "open_review", secretariat)
    fire(recognised, "conclude_review", secretariat)

    vetted_by_secretariat = make.application(round=round_b, enterprise=enterprise)
    fire(vetted_by_secretariat, "submit", applicant)
    fire(vetted_by_secretariat, "start_vetting", secretariat)

    day = local_today() + timedelta(days=day_offset)
    db.session.add(CalendarException(day=day, is_working_day=True, note="Làm bù"))
    anchor_day(day)  # the secretariat's anchor download for the same day
    db.session.commit()

    listed_in_supplier_directory(enterprise)

    documents = {}
    for application in (supplement, review, recognised, vetted_by_secretariat):
        for document in application.documents:
            write_evidence(app, document)
        documents[application.id] = application.documents[0].id
    return Side(
        enterprise_id=enterprise.id,
        applicant=applicant,
        officer=officer,
        council=council,
        supplement_id=supplement.id,
        review_id=review.id,
        recognised_id=recognised.id,
        secretariat_vetted_id=vetted_by_secretariat.id,
        assignment_id=assignment.id,
        certificate_id=0,
        serial="",
        product_id=recognised.product_id,
        objection_id=0,
        day=day.isoformat(),
        documents=documents,
    )


def listed_in_supplier_directory(enterprise: Enterprise) -> None:
    """The enterprise's register entry, listed, so its public supplier page exists."""
    sector = db.session.scalars(select(SupportingSector).order_by(SupportingSector.code)).first()
    db.session.add(SupplierProfile(enterprise=enterprise, supporting_sector=sector, listing_consent=True))
    db.session.commit()


def build_world(app: Flask, make: Factory) -> World:
    """Both sides walked through the workflow; certificates issued; objections lodged."""
    round_a = make.round(reviewers_per_dossier=1)
    apply_default_rubric(round_a)
    round_b = make.round(vetting_body=VettingBody.secretariat)
    make.programme("CNHT")  # the supporting-industries programme: its dashboard
    db.session.commit()
    secretariat = make.user(Role.secretariat)
    admin = make.user(Role.admin)
    own = _side(app, make, round_a, round_b, secretariat, OWN_UNIT, 40)
    foreign = _side(app, make, round_a, round_b, secretariat, FOREIGN_UNIT, 41)

    outsider = make.user(Role.applicant, enterprise=make.enterprise(OUTSIDER_UNIT))
    from recognition.accounts.services import grant_role

    grant_role(outsider, Role.unit_officer, unit=make.unit(OUTSIDER_UNIT))
    grant_role(outsider, Role.council_member)
    db.session.commit()

    make.publish_results(round_a)
    make.publish_results(round_b)
    for side in (own, foreign):
        application = db.session.get(Application, side.recognised_id)
        fire(application, "recognise", secretariat)
        certificate = db.session.scalar(
            select(Certificate).where(Certificate.application_id == application.id)
        )
        side.certificate_id, side.serial = certificate.id, certificate.serial
        objection = Objection(
            application_id=application.id,
            name="Người góp ý",
            contact="gopy@example.vn",
            text="Góp ý về kết quả",
            is_objection=True,
            status=ObjectionStatus.open,
            document_sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
            document_name="gop-y.pdf",
            document_type="application/pdf",
        )
        write_stored(app, objection.document_sha256)
        db.session.add(objection)
        db.session.commit()
        side.objection_id = objection.id
    return World(round_a.id, round_b.id, own, foreign, secretariat, admin, outsider)


def fingerprint() -> dict[str, str]:
    """Every table's full content, hashed: equal fingerprints mean nothing was written."""
    db.session.expire_all()
    prints = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            prints[table.name] = f"{len(rows)}:{digest}"
    return prints


def row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            table.name: conn.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()  # noqa: S608
            for table in db.metadata.sorted_tables
        }


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
