"""Django integration: ``INSTALLED_APPS += ["rpcc.contrib.django"]``.

Settings:

- ``RPCC_HANDLER_MODULES``: dotted names of handler modules (besides them, every installed app's ``rpc_handlers``
  module is discovered).
- ``RPCC_CENTRIFUGO_API_URL`` / ``RPCC_CENTRIFUGO_API_KEY``: Centrifugo's server API, for pub/sub replies.
- ``RPCC_PUBLISH_ACK_AFTER_REPLY``: answer the publish proxy only after the reply was published (default False).
- ``RPCC_BINARY``: the rpcc compiler for ``generate_centrifugo_clients`` (else ``$RPCC``, PATH, ``build/rpcc``).

URLs: ``path("centrifugo/", include("rpcc.contrib.django.urls"))`` serves ``centrifugo/rpc`` and
``centrifugo/publish``.
"""
