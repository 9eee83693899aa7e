"""Django settings of a project that registers its handlers the old way (AppConfig.ready), without
RPCC_HANDLER_MODULES (test_django_command.py)."""
SECRET_KEY = "rpcc-tests-only"
INSTALLED_APPS = ["rpcc.contrib.django", "ready_app"]
DATABASES: dict = {}
USE_TZ = True
# The rpcc app refuses to load without the proxy secret (or RPCC_INSECURE_NO_AUTH), management commands included.
RPCC_PROXY_SECRET = "django-ready-test-proxy-secret-0123456789"
