"""Where the app finds what it serves besides code: templates, migrations, translations.

From a checkout (the source tree, `pip install -e .`) they are the top-level `templates/` and
`migrations/`; installed from the wheel they are the copies inside the package (recognition/_build.py
puts them there). An installed package is read-only to the app: nothing is written into it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def running_from_checkout() -> bool:
    """True in the source tree: its top level holds setup.cfg and templates/ (site-packages does not)."""
    return (CHECKOUT / "setup.cfg").is_file() and (CHECKOUT / "templates").is_dir()


def resource_dir(name: str) -> str:
    """The folder `name` ("templates", "migrations") for this way of running."""
    if running_from_checkout():
        return str(CHECKOUT / name)
    return str(files("recognition") / name)
