"""Language choice and catalogue compilation (Vietnamese first, English second)."""

from __future__ import annotations

import os
import unicodedata

import flask_babel
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_wtf import FlaskForm
from sqlalchemy.orm import validates
from wtforms import Form as PlainForm
from wtforms.form import BaseForm

TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")


def fold(text: str) -> str:
    """Lower case without diacritics, so "co khi ha noi" finds "Công ty Cơ khí Hà Nội" (đ becomes d)."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


class FoldedName:
    """A model searched by name (enterprises, products): its `name_folded` column, declared by the
    model with `name`, is kept as `fold(name)` on every assignment, so a search compares folded texts."""

    name_folded: str

    @validates("name")
    def _fold_name(self, _key: str, value: str) -> str:
        self.name_folded = fold(value)
        return value


def or_unnamed(name: str | None, fallback: str | None = None) -> str:
    """A name for display that is never blank, so a link made of it always has text to click: the
    name, else the fallback (a receipt code, a serial), else "(no name)" in the visitor's language."""
    if name and name.strip():
        return name
    if fallback and fallback.strip():
        return fallback
    return flask_babel.gettext("(no name)")


class Bilingual:
    """Reference data kept in both languages (`<field>_vi`, `<field>_en` columns): the text in the
    visitor's language, else the Vietnamese, so a name the secretariat typed only in Vietnamese still
    shows as typed. Sectors, programmes, criteria groups and criteria all read their texts here."""

    def text_for(self, field: str, locale: str) -> str:
        translated = getattr(self, f"{field}_{locale}", None) if locale != "vi" else None
        return translated if translated and translated.strip() else getattr(self, f"{field}_vi")

    def name_for(self, locale: str) -> str:
        return self.text_for("name", locale)


def select_locale() -> str:
    """The language the visitor picked with the switch, else Vietnamese (also outside requests)."""
    choice = session.get("lang") if has_request_context() else None
    if isinstance(choice, str) and choice in current_app.config["LANGUAGES"]:
        return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language() -> None:
    """A signed-in user's mails follow the language they use: noted on their next form post (a GET,
    the language switch included, never writes), committed with that request's own work."""
    from flask_login import current_user

    choice = session.get("lang")
    if (
        request.method == "POST"
        and choice in current_app.config["LANGUAGES"]
        and current_user.is_authenticated
        and current_user.locale != choice
    ):
        current_user.locale = choice


def compile_translations(directory: str = TRANSLATIONS_DIR) -> list[str]:
    """Compile each .po to .mo when the .mo is missing or older; returns the files written.

    `make install` runs it, and so does the start of an app running from a checkout, so a fresh
    checkout never shows untranslated pages; the wheel ships its catalogues compiled at build.
    """
    written = []
    for lang in sorted(os.listdir(directory)):
        po_path = os.path.join(directory, lang, "LC_MESSAGES", "messages.po")
        mo_path = po_path[:-2] + "mo"
        if not os.path.exists(po_path):
            continue
        if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            continue
        with open(po_path, "rb") as po_file:
            catalog = read_po(po_file, locale=lang)
        tmp_path = f"{mo_path}.{os.getpid()}.tmp"
        with open(tmp_path, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(tmp_path, mo_path)
        written.append(mo_path)
    return written


class BabelTranslations:
    """Routes WTForms' built-in messages through our catalogue (WTForms ships no Vietnamese)."""

    def gettext(self, string: str) -> str:
        return flask_babel.get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Unformatted: WTForms fills its own placeholders (%(max)d…) after translating.
        return flask_babel.get_translations().ngettext(singular, plural, n)


class Form(FlaskForm):
    """Base form of the app: CSRF from Flask-WTF, messages in the visitor's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: BaseForm) -> BabelTranslations:
            return BabelTranslations()


class SubForm(PlainForm):
    """Base of a form nested in another (FormField, FieldList): no CSRF token of its own, the
    enclosing form carries it; messages in the visitor's language."""

    class Meta:
        def get_translations(self, form: BaseForm) -> BabelTranslations:
            return BabelTranslations()


# WTForms' own messages that our forms can show, marked so that extraction puts them in the catalogue.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Field must be equal to %(other_name)s."),
)
WTFORMS_PLURAL_MESSAGES = (
    _ln(
        "Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1
    ),
    _ln(
        "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1
    ),
)
