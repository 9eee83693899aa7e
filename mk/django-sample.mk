# A Django project written as the old Centrifugo client generator's documentation shows (issue 17): handlers
# imported in AppConfig.ready(), `manage.py generate_centrifugo_clients --output ./opensdk --all`, and the old
# Python, TypeScript and Go usage snippets run against a real Centrifugo and Django serving rpcc.contrib.django.
# tests/integration/test_django_sample.py (one test per language); the project is tests/integration/django_project/.
#
#   make check-django-sample

.PHONY: check-django-sample
CHECKS += check-django-sample

# The TypeScript toolchain and the Go module cache come from the rules of mk/typescript.mk and mk/go.mk.
check-django-sample: $(BUILD)/rpcc .venv/.stamp .cache/bin/centrifugo tests/typescript/node_modules/.rpcc-stamp \
                     .cache/go-modules.stamp
	RPCC=$(CURDIR)/$(BUILD)/rpcc CENTRIFUGO_BIN=$(CURDIR)/.cache/bin/centrifugo PYTHONDONTWRITEBYTECODE=1 \
	    .venv/bin/python -m pytest -q -p no:cacheprovider tests/integration/test_django_sample.py
