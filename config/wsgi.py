import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Before the settings load: a web process gets the database's statement timeout
# (DATABASE_STATEMENT_TIMEOUT_MS); jobs and management commands, which never import this
# module, do not.
os.environ["REGISTRY_PROCESS"] = "web"
application = get_wsgi_application()
