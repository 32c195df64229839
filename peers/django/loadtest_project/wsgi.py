"""WSGI entry point, as `startproject` writes it; gunicorn serves `application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtest_project.settings")

application = get_wsgi_application()
