// Compile-time tests of the SDK generated from spec/examples/channels.rpc: the typed channel methods. Publications
// are the declared type (a tagged union narrows on its tag), parameters are typed and required, publish takes the
// publication type, and the subscription's API is typed. `@ts-expect-error` lines must fail.
import {
    APIClient,
    CentrifugoRPCClient,
    ChannelSubscription,
    RPCError,
    RPCPublicationError,
    RPCSubscriptionError,
} from "./typescript/index.js";
import type {
    ChatMessage,
    NewsItem,
    PublicationInfo,
    SubscribeOptions,
    SubscriptionState,
    TaskEvent,
} from "./typescript/index.js";

const api = new APIClient(new CentrifugoRPCClient("ws://localhost:8000/connection/websocket", "token"));

export function describeEvent(event: TaskEvent): string {
    switch (event.kind) {
        case "created":
            return `${event.task_id} created: ${event.title}`;
        case "status_changed":
            // @ts-expect-error a status change has no title
            return `${event.task_id} now ${event.status} ${event.title}`;
    }
}

export async function receive(signal: AbortSignal): Promise<string[]> {
    const seen: string[] = [];
    const events: ChannelSubscription<TaskEvent> = api.subscribeTasksEvents(
        { userId: "42" },
        {
            onPublication: (event: TaskEvent, info: PublicationInfo) =>
                seen.push(`${info.offset ?? "-"} ${event.kind}`),
            onError: (error: RPCError) => {
                if (error instanceof RPCPublicationError) seen.push(`${error.path} ${String(error.data)}`);
                if (error instanceof RPCSubscriptionError) seen.push(`${error.channel} ${error.code}`);
            },
            onStateChange: (state: SubscriptionState) => seen.push(state),
            onRecoveryFailed: () => seen.push("reload"),
            signal,
        },
    );
    for await (const event of events) seen.push(describeEvent(event));
    const state: "subscribing" | "subscribed" | "unsubscribed" = events.state;
    const error: RPCError | null = events.error;
    seen.push(state, String(error));
    const stop: () => void = events.onPublication((event) => seen.push(event.kind));
    stop();
    await events.ready(1000);
    events.unsubscribe();
    return seen;
}

export async function rooms(): Promise<void> {
    await using room = api.subscribeChatRoom({ roomId: 7 });
    for await (const message of room) {
        const text: string = message.text;
        await api.publishChatRoom({ roomId: 7 }, { author: "me", text, sent_at: "2026-01-01T00:00:00Z" });
    }
    const feed: ChannelSubscription<NewsItem> = api.subscribeNewsFeed();
    feed.onPublication((item) => item.url?.length);
    // @ts-expect-error news items are not chat messages
    const wrong: ChannelSubscription<ChatMessage> = api.subscribeNewsFeed();
    wrong.unsubscribe();
    // @ts-expect-error the room id is an int
    api.subscribeChatRoom({ roomId: "7" });
    // @ts-expect-error the parameters are required
    api.subscribeTasksEvents();
    // @ts-expect-error a publication must have the declared shape
    await api.publishChatRoom({ roomId: 7 }, { author: "me" });
    // @ts-expect-error only channels with @publish have a publish method
    await api.publishNewsFeed({ id: 1, headline: "h" });
    const options: SubscribeOptions<NewsItem> = { onPublication: (item) => item.headline };
    // @ts-expect-error exactOptionalPropertyTypes: leave a handler out rather than set it to undefined
    const unset: SubscribeOptions<NewsItem> = { onError: undefined };
    api.subscribeNewsFeed(options).unsubscribe();
    api.subscribeNewsFeed(unset).unsubscribe();
}
