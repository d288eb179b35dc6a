"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from recognition import create_app

app = create_app()
