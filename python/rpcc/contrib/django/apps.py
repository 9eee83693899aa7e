import logging

from django.apps import AppConfig


class RpccConfig(AppConfig):
    name = "rpcc.contrib.django"
    label = "rpcc"
    verbose_name = "rpcc Centrifugo RPC"

    def ready(self) -> None:
        # Refuse to start without the proxy secret (ImproperlyConfigured), unless RPCC_INSECURE_NO_AUTH says so on
        # purpose; then warn on every start.
        from .bridge import configure_channel_api, get_auth

        get_auth().warn_if_insecure(logging.getLogger("rpcc.django"))
        configure_channel_api()
