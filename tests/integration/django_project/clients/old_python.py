"""The old system's Python usage snippet, as its documentation writes it; only the URL and the token come from the
environment (the test's Centrifugo). Run from the project's root, where generate_centrifugo_clients wrote
./opensdk."""
import asyncio
import os

from opensdk.python import APIClient, CentrifugoRPCClient, ProfileParams, TaskStatsParams

URL = os.environ["CENTRIFUGO_URL"]  # the docs: "ws://localhost:8000/connection/websocket"
TOKEN = os.environ["SAMPLE_TOKEN"]  # the docs: "your-jwt-token"


async def main() -> None:
    rpc = CentrifugoRPCClient(URL, TOKEN, "user-123")
    await rpc.connect()
    api = APIClient(rpc)
    stats = await api.tasks_get_stats(TaskStatsParams(user_id="123", limit=10))
    print(f"python stats: total={stats.total} completed={stats.completed} caller={stats.caller}")
    profile = await api.user_profile_get(ProfileParams(user_id="123"))
    print(f"python profile: {profile.name}")
    await rpc.disconnect()


asyncio.run(main())
