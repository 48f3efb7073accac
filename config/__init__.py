# Load the Celery app whenever Django starts, so that tasks published from the web and the
# commands use its configuration.
from config.celery import app as celery_app

__all__ = ["celery_app"]
