"""Django integration: ``INSTALLED_APPS += ["rpcc.contrib.django"]``.

Settings:

- ``RPCC_PROXY_SECRET`` (required): the secret Centrifugo sends in the ``X-Rpcc-Proxy-Secret`` header
  (``python -m rpcc config`` generates it and writes it into Centrifugo's config and the bridge's env file). Django
  refuses to start without it (ImproperlyConfigured), unless ``RPCC_INSECURE_NO_AUTH = True`` (development only;
  warns on every start). A proxy request without the right header gets 401 and runs nothing.
- ``RPCC_HANDLER_MODULES``: dotted names of handler modules (besides them, every installed app's ``rpc_handlers``
  module is discovered).
- ``RPCC_CENTRIFUGO_API_URL`` / ``RPCC_CENTRIFUGO_API_KEY``: Centrifugo's server API, for pub/sub replies and for
  publications into typed channels (``Channel.publish_sync`` in a view, ``await Channel.publish`` in async code).
- Limits (see rpcc.bridge.Limits and python/README.md, "Deploying the bridge"): ``RPCC_MAX_MESSAGE_SIZE``
  (Centrifugo's websocket.message_size_limit), ``RPCC_MAX_BODY``, ``RPCC_MAX_CONCURRENCY`` (per process),
  ``RPCC_HANDLER_TIMEOUT`` (Centrifugo's rpc.proxy.timeout), ``RPCC_PUBLISH_TIMEOUT``, ``RPCC_SUBSCRIBE_TIMEOUT``
  (typed channels' guards), ``RPCC_MAX_REPLY``.
- ``RPCC_PUBLISH_ACK_AFTER_REPLY``: answer the publish proxy only after the reply was published (default False).
- ``RPCC_BINARY``: the rpcc compiler for ``generate_centrifugo_clients`` (else ``$RPCC``, PATH, ``build/rpcc``).

URLs: ``path("centrifugo/", include("rpcc.contrib.django.urls"))`` serves ``centrifugo/rpc``,
``centrifugo/publish`` and ``centrifugo/subscribe`` (the subscribe proxy of typed channels).
"""
