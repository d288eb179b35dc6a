"""Enumerations that carry their own labels, so a status, kind or role is declared with the words a
person reads for it in one place, instead of an enum and a `*_LABELS` dictionary kept in step by hand."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Self

from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2


class LabelledEnum(enum.StrEnum):
    """A `str` enum whose members are declared with their lazy label: `draft = "draft", _l("Draft")`.

    A member still *is* its value: it is stored, compared, CHECK-constrained (`enum_check`) and mapped by
    SQLAlchemy's `Enum` exactly as a plain `StrEnum` member (names equal values, as before); `.label` is
    the translation a page, a form or an export shows, resolved in the reader's language when rendered.
    """

    _value_: str
    label: LazyString

    def __new__(cls, value: str, label: LazyString | None = None) -> Self:
        # Only the class body calls this, with both; `Role("admin")` finds a member by value without
        # it, but type checkers read this signature for that call too, hence the default.
        if label is None:
            raise TypeError(f"{cls.__name__} member {value!r} needs its label")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[Self, LazyString]:
        """Member to label, for a lookup by a value that may be a plain string (an audit row's role, a
        round's JSON list of document kinds): members hash and compare as their values."""
        return {member: member.label for member in cls}

    @classmethod
    def choices(cls, members: Iterable[Self] | None = None) -> list[SelectChoice]:
        """The members (all, in declaration order, unless given) as a WTForms select's choices."""
        return [SelectChoice(member.value, member.label) for member in (cls if members is None else members)]
