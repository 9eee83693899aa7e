// A minimal app with the centrifuge package alone: connect and make one RPC call by hand, untyped.
import { Centrifuge } from "centrifuge";

const client = new Centrifuge("ws://127.0.0.1:8000/connection/websocket", {
    getToken: async () => (await (await fetch("/dev/centrifugo-token")).json()).token,
});
client.connect();
client.rpc("tasks.get_stats", { user_id: "dev-user" }).then(
    (reply) => console.log(reply.data),
    (error) => console.error(error),
);
