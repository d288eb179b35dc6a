"""Money fields read the Vietnamese and the English grouping alike (issue 17: "1,234.50" USD was
read as 123450), whatever the interface language; what fits neither is refused, keeping the text."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from recognition import clock
from recognition.nomination.forms import MONEY_HELP, ProductForm, YearFiguresForm
from recognition.validators import parse_amount

READINGS = [
    ("1.234.567", 1_234_567), ("1,234,567", 1_234_567), ("1 234 567", 1_234_567),
    ("1.234,50", 1235), ("1,234.50", 1235), ("1,234.49", 1234), ("1.234.567,89", 1_234_568),
    ("1,234", 1234), ("1.234", 1234), ("1234,5", 1235), ("12.34", 12), ("150.000.000.000", 150 * 10**9),
    ("１２３", 123), ("0", 0),
]  # fmt: skip
REFUSED = ["1,23,456", "1.234,567", "1,2.34", "1.2,3.4", ".5", "1,", "0,500", "abc", "12a"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_money_fields_read_both_groupings_in_either_language(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        for text, expected in READINGS:
            assert parse_amount(text) == expected, text
            form = YearFiguresForm(MultiDict({"export_value_usd": text}))
            assert form.export_value_usd.data == expected, text
        for text in REFUSED:
            with pytest.raises(ValueError):
                parse_amount(text)
            form = YearFiguresForm(MultiDict({"export_value_usd": text}))
            assert not form.validate()
            assert form.export_value_usd.errors, text
            assert form.export_value_usd._value() == text  # what was typed stays


def test_the_rule_is_stated_beside_the_usd_field_and_the_refusal_says_how_to_write(app):
    with (
        app.test_request_context(),
        force_locale("en"),
    ):  # the language is the visitor's choice, not the header
        assert "1,234.50" in str(MONEY_HELP) and "1.234,50" in str(MONEY_HELP)
        form = YearFiguresForm(MultiDict({"export_value_usd": "1,23,456"}))
        form.validate()
        assert "1.234.567 or 1,234,567" in str(form.export_value_usd.errors[0])
        assert str(form.export_value_usd.description) == str(MONEY_HELP)


def test_year_started_follows_hanoi_not_the_servers_date(app, monkeypatch, reference):
    """At 23:30 UTC on 31 December it is already 1 January in Hanoi: this year is the new one."""
    monkeypatch.setattr(clock, "_now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.local_today().year == 2027
    with app.test_request_context():
        form = ProductForm(MultiDict({"year_started": "2027"}), meta={"csrf": False})
        form.validate()
        assert "year_started" not in form.errors
        form = ProductForm(MultiDict({"year_started": "2028"}), meta={"csrf": False})
        form.validate()
        assert "year_started" in form.errors
