"""A Django app written the old way: its AppConfig.ready() imports the handler module (test_django_command.py)."""
