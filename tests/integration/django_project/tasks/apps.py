from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self) -> None:
        # The old system's way of registering handlers: import the module when Django starts.
        from . import handlers  # noqa: F401
