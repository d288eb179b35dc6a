"""The labelled enums (recognition.labels): each member is its stored value and carries its label."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

import recognition.models  # noqa: F401  (imports every model, so every labelled enum is defined)
from recognition.accounts.models import Role
from recognition.extensions import contains_pattern, enum_check
from recognition.labels import LabelledEnum
from recognition.rounds.models import DocumentKind, Round


def _labelled_enums() -> list[type[LabelledEnum]]:
    """The app's labelled enums (not the ones the tests below declare)."""
    found, pending = [], list(LabelledEnum.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("recognition."):
            found.append(cls)
    return found


def test_every_models_enum_is_labelled_and_keeps_names_equal_to_values():
    enums = _labelled_enums()
    names = {enum_class.__name__ for enum_class in enums}
    assert {"Role", "UnitLevel", "DocumentKind", "CertificateStatus", "MailStatus", "SupportKind"} <= names
    for enum_class in enums:
        for member in enum_class:
            # SQLAlchemy's Enum stores the name and enum_check lists names: both rely on name == value.
            assert member.name == member.value == str(member)
            assert isinstance(member, str)
            assert str(member.label)


def test_a_member_is_its_value_and_is_found_by_it():
    assert Role("admin") is Role.admin
    assert Role.admin == "admin"
    assert f"{DocumentKind.other}" == "other"
    assert DocumentKind.labels()["other"] is DocumentKind.other.label  # a plain string finds the label
    choices = Role.choices([Role.admin, Role.secretariat])
    assert [(choice.value, choice.label) for choice in choices] == [
        ("admin", Role.admin.label),
        ("secretariat", Role.secretariat.label),
    ]


def test_the_check_constraint_lists_the_stored_values():
    assert str(enum_check("role", Role).sqltext) == (
        "role IN ('applicant', 'unit_officer', 'council_member', 'secretariat', 'admin')"
    )


def test_labels_are_translated_when_shown(app):
    with app.test_request_context():
        with force_locale("vi"):
            assert str(Role.admin.label) == "Quản trị hệ thống"
            assert [str(c.label) for c in DocumentKind.choices()][-1] == "Tài liệu khác"
        with force_locale("en"):
            assert str(Role.admin.label) == "Administrator"


def test_a_member_declared_without_its_label_is_refused():
    with pytest.raises(TypeError, match="needs its label"):

        class Unlabelled(LabelledEnum):
            only = "only"

    class Labelled(LabelledEnum):
        only = "only", _l("Only")

    assert Labelled.only.label is not None


def test_a_rounds_required_documents_read_back_as_members():
    round_ = Round(required_documents=["other", "registration_form"])
    assert round_.required_document_kinds == [DocumentKind.other, DocumentKind.registration_form]
    assert all(isinstance(kind, DocumentKind) for kind in round_.required_document_kinds)


def test_a_search_pattern_takes_wildcards_literally():
    assert contains_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"
