"""Build step of the wheel (setup.cfg `cmdclass`), never imported by the app.

The checkout keeps `templates/` and `migrations/` at its top level; the wheel carries them inside the
package (recognition/templates, recognition/migrations), next to the translations compiled here from
their .po files, so an installed app has all it serves and never writes into its own folder.
setuptools loads this file on its own, without importing `recognition`, so it uses only setuptools
and Babel (a build requirement in pyproject.toml).
"""

from __future__ import annotations

import os
import shutil

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools.command.build_py import build_py

SHIPPED_TREES = ("templates", "migrations")  # top-level folders of the checkout, copied into the package


class BuildWithResources(build_py):
    """build_py, then the top-level trees copied into the package and each catalogue compiled."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout itself (recognition.resources)
            return
        package_dir = os.path.join(self.build_lib, "recognition")
        for tree in SHIPPED_TREES:
            target = os.path.join(package_dir, tree)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(tree, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compile_catalogues(
            os.path.join("recognition", "translations"), os.path.join(package_dir, "translations")
        )


def compile_catalogues(source: str, target: str) -> None:
    """Each <lang>/LC_MESSAGES/messages.po under `source` as messages.mo under `target`."""
    for lang in sorted(os.listdir(source)):
        po_path = os.path.join(source, lang, "LC_MESSAGES", "messages.po")
        if not os.path.exists(po_path):
            continue
        with open(po_path, "rb") as po_file:
            catalog = read_po(po_file, locale=lang)
        os.makedirs(os.path.join(target, lang, "LC_MESSAGES"), exist_ok=True)
        with open(os.path.join(target, lang, "LC_MESSAGES", "messages.mo"), "wb") as mo_file:
            write_mo(mo_file, catalog)
