"""Vietnamese first, English second; every string of the catalogue really translated."""

import os

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from recognition.i18n import TRANSLATIONS_DIR, compile_translations

VI_PO = os.path.join(TRANSLATIONS_DIR, "vi", "LC_MESSAGES", "messages.po")
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_default_language_is_vietnamese(client):
    html = client.get("/").text
    assert '<html lang="vi">' in html
    assert "Sản phẩm công nghiệp chủ lực thành phố Hà Nội" in html


def test_switch_to_english_and_back(client):
    response = client.get("/lang/en?next=/login")
    assert response.location == "/login"
    assert '<h1 class="h4 mb-3">Log in</h1>' in client.get("/login").text
    client.get("/lang/vi")
    assert "Đăng nhập" in client.get("/login").text


def test_language_switch_is_visible_in_the_layout(client):
    html = client.get("/").text
    assert 'href="/lang/en?next=/"' in html


def test_unknown_language_is_404(client):
    assert client.get("/lang/fr").status_code == 404


def test_language_switch_ignores_foreign_next(client):
    assert client.get("/lang/en?next=//evil.com").location == "/"


def test_every_vietnamese_entry_is_translated_and_not_fuzzy():
    with open(VI_PO, "rb") as po_file:
        catalog = read_po(po_file, locale="vi")
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_catalogue_covers_every_string_in_code_and_templates():
    """Re-extract the strings as `make translations` does; each must be in the Vietnamese catalogue."""
    method_map = [("recognition/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "_ln": (1, 2)}
    extracted = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT, method_map, keywords=keywords
        )
    }
    with open(VI_PO, "rb") as f:
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f, locale="vi") if m.id}
    assert len(extracted) > 50
    assert sorted(extracted - translated) == []


def test_compile_writes_mo_files_when_missing(tmp_path):
    lang_dir = tmp_path / "vi" / "LC_MESSAGES"
    lang_dir.mkdir(parents=True)
    (lang_dir / "messages.po").write_bytes(open(VI_PO, "rb").read())
    written = compile_translations(str(tmp_path))
    assert written == [str(lang_dir / "messages.mo")]
    assert compile_translations(str(tmp_path)) == []


@pytest.mark.parametrize("text", ["Đăng ký doanh nghiệp", "Thư điện tử", "Mật khẩu"])
def test_vietnamese_text_has_its_diacritics(client, text):
    assert text in client.get("/register").text
