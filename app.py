"""The WSGI entry point: `gunicorn app:app`, `flask --app app …`."""
from webhook import create_app

app = create_app()
