"""The package deploys: a wheel built from the tree, installed in a fresh venv outside the checkout,
migrates a database, serves the home page in both languages and /healthz, and writes nothing into
its own installed folder (issue 17)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
TREE = ("setup.cfg", "pyproject.toml", "README.md", "recognition", "templates", "migrations")

pytestmark = pytest.mark.slow

RENDER = """
import json, sys
import recognition
from recognition import create_app

app = create_app()
client = app.test_client()
vi = client.get("/")
client.get("/lang/en")
en = client.get("/")
health = client.get("/healthz")
json.dump({
    "package": recognition.__file__,
    "templates": app.template_folder,
    "migrations": app.extensions["migrate"].directory,
    "vi": [vi.status_code, vi.text],
    "en": [en.status_code, en.text],
    "healthz": [health.status_code, health.get_json()],
}, sys.stdout)
"""


def _run(*args: str | Path, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def _build_wheel(tmp_path: Path) -> Path:
    """From a copy of the tree without compiled catalogues, so the .mo files come from the build."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.egg-info")
    source.mkdir()
    for name in TREE:
        if (CHECKOUT / name).is_dir():
            shutil.copytree(CHECKOUT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(CHECKOUT / name, source / name)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        tmp_path / "dist",
        source,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("recognition-*.whl")
    return wheel


def test_wheel_installed_outside_the_checkout_migrates_and_serves_both_languages(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "recognition/templates/layout.html",
        "recognition/static/css/layout.css",
        "recognition/migrations/env.py",
        "recognition/migrations/alembic.ini",
        "recognition/translations/vi/LC_MESSAGES/messages.mo",
    ):
        assert shipped in names

    # A fresh venv; the wheel installed in it first (nothing of the checkout is visible yet), then the
    # checkout venv's site-packages appended for the dependencies only (its .pth files are not run, so
    # its editable `recognition` stays out of reach).
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        wheel,
        cwd=tmp_path,
    )
    site_packages = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).strip()
    )
    (site_packages / "checkout_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    installed = site_packages / "recognition"
    before = _snapshot(installed)

    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "FLASK_", "RECOGNITION_", "VIRTUAL_ENV")) and key != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'recognition.db'}",
        EVIDENCE_DIR=str(workdir / "evidence"),
        SECRET_KEY="package-test-secret",
    )
    _run(python, "-m", "flask", "--app", "recognition:create_app", "db", "upgrade", cwd=workdir, env=env)
    page = json.loads(_run(python, "-c", RENDER, cwd=workdir, env=env))

    for where in ("package", "templates", "migrations"):
        assert Path(page[where]).resolve().is_relative_to(installed.resolve()), (where, page[where])
    vi_status, vi_html = page["vi"]
    assert vi_status == 200 and '<html lang="vi">' in vi_html
    assert "Sản phẩm công nghiệp chủ lực" in vi_html  # only the compiled Vietnamese catalogue says this
    en_status, en_html = page["en"]
    assert en_status == 200 and '<html lang="en">' in en_html
    assert "Key industrial products" in en_html
    assert page["healthz"] == [200, {"status": "ok"}]
    assert _snapshot(installed) == before
