from django.apps import AppConfig


class ReadyAppConfig(AppConfig):
    name = "ready_app"

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (registers the handlers)
