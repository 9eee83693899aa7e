"""Django settings for the rpcc integration tests."""
SECRET_KEY = "rpcc-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
INSTALLED_APPS = ["rpcc.contrib.django"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"]
ROOT_URLCONF = "django_urls"
DATABASES: dict = {}
USE_TZ = True
RPCC_HANDLER_MODULES = ["tasks_handlers", "debug_handlers"]
RPCC_PROXY_SECRET = "django-test-proxy-secret-0123456789"
