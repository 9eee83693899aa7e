from django.apps import AppConfig


class RpccConfig(AppConfig):
    name = "rpcc.contrib.django"
    label = "rpcc"
    verbose_name = "rpcc Centrifugo RPC"
