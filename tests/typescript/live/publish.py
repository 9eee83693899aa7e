"""Publishes into a typed channel of python/examples/channel_handlers.py as an application does: through the
channel object's publish_sync, which validates each publication against its Pydantic model before it goes to
Centrifugo's server API. The TypeScript live tests (channels.test.ts) run it under `python -m tests.fixture run`.

    python tests/typescript/live/publish.py CHANNEL PARAMS_JSON PUBLICATIONS_JSON

CHANNEL is the attribute of channel_handlers (task_events, chat_room, news_feed), PARAMS_JSON the channel's
parameters as an object, PUBLICATIONS_JSON a list published in order. Prints the offset of each publication, one a
line (empty for a channel without history). Centrifugo's server API: CENTRIFUGO_API_URL and CENTRIFUGO_API_KEY (as
tests.fixture sets them), else RPCC_CENTRIFUGO_API_URL and RPCC_CENTRIFUGO_API_KEY (as in the bridge's env file).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "python" / "examples"))

import channel_handlers  # noqa: E402
from rpcc.bridge import CentrifugoAPI  # noqa: E402


def main(argv: list[str]) -> int:
    name, params_json, publications_json = argv
    channel = getattr(channel_handlers, name)
    params = json.loads(params_json)
    # The fixture's names, or the bridge's (its bridge.env).
    url = os.environ.get("CENTRIFUGO_API_URL") or os.environ["RPCC_CENTRIFUGO_API_URL"]
    key = os.environ.get("CENTRIFUGO_API_KEY") or os.environ["RPCC_CENTRIFUGO_API_KEY"]
    api = CentrifugoAPI(url, key)
    for publication in json.loads(publications_json):
        published = channel.publish_sync(publication, api=api, **params)
        print("" if published.offset is None else published.offset)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
