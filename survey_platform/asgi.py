"""ASGI entry point. Production deployments set DJANGO_SETTINGS_MODULE explicitly."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_platform.settings.production")

application = get_asgi_application()
