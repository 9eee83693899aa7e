"""Settings of a Django project that used the old Centrifugo client generator, switched to rpcc.

The only rpcc-specific lines are the app and the bridge settings; the secrets come from the environment (the env
file `python -m rpcc config` writes), as python/README.md shows."""
import os

SECRET_KEY = "sample-project-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["rpcc.contrib.django", "tasks"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "sample.urls"
DATABASES: dict = {}
USE_TZ = True

RPCC_PROXY_SECRET = os.environ.get("RPCC_PROXY_SECRET")
RPCC_CENTRIFUGO_API_URL = os.environ.get("RPCC_CENTRIFUGO_API_URL")
RPCC_CENTRIFUGO_API_KEY = os.environ.get("RPCC_CENTRIFUGO_API_KEY")
