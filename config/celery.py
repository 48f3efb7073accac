"""The Celery app: every CELERY_* setting in config/settings.py, and the tasks of each app's
tasks.py. Start a worker and the scheduler with `make run`, or on a server:

    celery -A config worker --loglevel=INFO
    celery -A config beat --loglevel=INFO
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
