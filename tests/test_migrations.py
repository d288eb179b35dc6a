"""The committed migrations build exactly the schema the models declare, on the test's database kind."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from recognition import create_app
from recognition.extensions import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database of the same kind as the suite's."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path}/migrated.db"
        return
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_on_an_empty_database_matches_the_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


def test_the_integrity_migration_fills_in_existing_rows(empty_database_url):
    """Certificates granted before the migration take their dossier's names, earlier audit events
    get their keyed seal, and dossiers past draft get a record of what they hold."""
    from flask_migrate import downgrade

    from recognition.accounts.models import Role
    from recognition.cases.audit import keyed_mac
    from recognition.cases.models import Application, AuditEvent
    from recognition.honours.models import Certificate
    from tests.conftest import Factory, fire

    migrations = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(directory=migrations)
        make = Factory()
        round_ = make.round(reviewers_per_dossier=1)
        secretariat = make.user(Role.secretariat)
        application = make.recommended(round_, score=90, secretariat=secretariat)
        make.publish_results(round_)
        fire(application, "recognise", secretariat)
        names = (application.product.name, application.enterprise.name, application.enterprise.tax_code)
        db.session.remove()
        downgrade(directory=migrations, revision="e18b0acc0001")
        upgrade(directory=migrations)
        certificate = db.session.query(Certificate).one()
        assert (certificate.product_name, certificate.enterprise_name, certificate.tax_code) == names
        assert certificate.names_folded and certificate.sector_id
        events = db.session.query(AuditEvent).all()
        assert events and all(event.mac == keyed_mac(event.hash) for event in events)
        migrated = db.session.get(Application, application.id)
        assert migrated.product_record.name == names[0]
        assert migrated.enterprise_record.tax_code == names[2]
        db.session.remove()
        db.engine.dispose()


def test_accounts_made_before_confirmation_existed_count_as_confirmed(empty_database_url):
    directory = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(directory=directory, revision="5f38e4f9287a")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, full_name, password_hash, active, session_token, created_at) "
                    "VALUES ('old@example.vn', 'Old', 'x', true, 'abc', '2025-01-02 03:04:05')"
                )
            )
        upgrade(directory=directory, revision="e18b0acc0001")
        with db.engine.connect() as conn:
            confirmed = conn.execute(text("SELECT email_confirmed_at FROM users")).scalar_one()
        db.engine.dispose()
    assert confirmed is not None


def test_certificates_granted_before_the_registry_order_take_their_rounds_year(empty_database_url):
    from flask_migrate import downgrade

    from recognition.accounts.models import Role
    from recognition.honours.models import Certificate
    from tests.conftest import Factory, fire

    migrations = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(directory=migrations)
        make = Factory()
        round_ = make.round(reviewers_per_dossier=1, year=2031)
        secretariat = make.user(Role.secretariat)
        application = make.recommended(round_, score=90, secretariat=secretariat)
        make.publish_results(round_)
        fire(application, "recognise", secretariat)
        db.session.remove()
        downgrade(directory=migrations, revision="f18c0d1e0001")
        upgrade(directory=migrations)
        assert db.session.query(Certificate.round_year).scalar() == 2031
        db.session.remove()
        db.engine.dispose()
