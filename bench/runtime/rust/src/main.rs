//! Runtime bench, Rust: the generated typed call `api.debug_echo(&EchoParams { .. })` (the rpcc runtime on
//! centrifuge-client) against the raw SDK call (centrifuge-client `Client::rpc` with serde_json on both sides; for
//! pub/sub a minimal subscribe/publish/correlate written here), over both transports, with 1 and 100 calls in
//! flight. bench/runtime/run.py builds it and runs it under tests/fixture.
//!
//!     rustbench --calls 2000 --warmup 200 --rounds 3 --max-seconds 10
//!
//! Prints one JSON object per measurement (see bench/runtime/python/bench.py for the fields).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use live_client::{ApiClient, ClientConfig, EchoParams, Transport};
use serde_json::{json, Value};
use tokio::sync::oneshot;

type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>;

/// The raw side: the SDK's client, and for pub/sub the reply channel's waiters.
struct Raw {
    client: centrifuge::Client,
    waiting: Waiting,
    reply_to: String,
    counter: AtomicU64,
}

fn raw_client(url: &str, token: &str, user: &str, pubsub: bool) -> Raw {
    let client = centrifuge::Client::builder(url)
        .protocol(centrifuge::Protocol::Json)
        .token(token)
        .build()
        .expect("raw client");
    let waiting: Waiting = Arc::default();
    let reply_to = format!("user#{user}");
    if pubsub {
        let deliver = Arc::clone(&waiting);
        let sub = client
            .new_subscription(reply_to.clone())
            .on_publication(move |_, event| {
                let Ok(reply) = serde_json::from_slice::<Value>(&event.data) else {
                    return;
                };
                let id = reply["correlation_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if let Some(waiter) = deliver.lock().expect("lock").remove(&id) {
                    let _ = waiter.send(reply);
                }
            })
            .build()
            .expect("subscription");
        sub.subscribe();
    }
    client.connect().expect("connect");
    Raw {
        client,
        waiting,
        reply_to,
        counter: AtomicU64::new(0),
    }
}

impl Raw {
    async fn rpc(&self, value: &Value) -> Value {
        let data = serde_json::to_vec(&json!({ "value": value })).expect("encode");
        let reply = self.client.rpc("debug.echo", data).await.expect("raw rpc");
        serde_json::from_slice(&reply.data).expect("decode")
    }

    async fn publish(&self, value: &Value) -> Value {
        let id = format!("b{}", self.counter.fetch_add(1, Ordering::Relaxed));
        let (sender, receiver) = oneshot::channel();
        self.waiting
            .lock()
            .expect("lock")
            .insert(id.clone(), sender);
        let request = json!({"method": "debug.echo", "params": {"value": value}, "correlation_id": id,
            "reply_to": self.reply_to});
        self.client
            .publish(
                "rpc:requests",
                serde_json::to_vec(&request).expect("encode"),
            )
            .await
            .expect("raw publish");
        let reply = receiver.await.expect("reply");
        reply["result"].clone()
    }
}

/// `count` calls with `inflight` of them at a time (bounded by `max_seconds`): elapsed seconds and latencies in µs.
async fn measure<F, Fut>(
    call: Arc<F>,
    count: usize,
    inflight: usize,
    max_seconds: f64,
) -> (f64, Vec<u64>)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(max_seconds);
    let workers: Vec<_> = (0..inflight)
        .map(|_| {
            let (call, issued) = (Arc::clone(&call), Arc::clone(&issued));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while issued.fetch_add(1, Ordering::Relaxed) < count && Instant::now() < deadline {
                    let t0 = Instant::now();
                    call().await;
                    latencies.push(u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX));
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    (started.elapsed().as_secs_f64(), all)
}

fn flag(args: &[String], name: &str, default: f64) -> f64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let calls = flag(&args, "--calls", 2000.0) as usize;
    let warmup = flag(&args, "--warmup", 200.0) as usize;
    let rounds = flag(&args, "--rounds", 3.0) as usize;
    let max_seconds = flag(&args, "--max-seconds", 10.0);
    let url = std::env::var("CENTRIFUGO_URL").expect("CENTRIFUGO_URL");
    let value = json!({"id": 42, "name": "bench", "tags": ["a", "b"], "score": 0.5});
    for transport in ["rpc", "pubsub"] {
        let pubsub = transport == "pubsub";
        let config = ClientConfig::new(
            url.clone(),
            std::env::var("CENTRIFUGO_TOKEN").expect("token"),
        )
        .with_transport(if pubsub {
            Transport::pubsub()
        } else {
            Transport::Rpc
        });
        let api = ApiClient::connect(config).expect("client");
        api.rpc_client()
            .ready(Duration::from_secs(10))
            .await
            .expect("ready");
        let raw = Arc::new(raw_client(
            &url,
            &std::env::var("CENTRIFUGO_TOKEN_2").expect("token 2"),
            &std::env::var("CENTRIFUGO_USER_2").expect("user 2"),
            pubsub,
        ));
        raw.client
            .ready(Some(Duration::from_secs(10)))
            .await
            .expect("raw ready");
        let generated = {
            let (api, value) = (api.clone(), value.clone());
            Arc::new(move || {
                let (api, value) = (api.clone(), value.clone());
                async move {
                    let echo = api
                        .debug_echo(&EchoParams {
                            value: Some(value.clone()),
                        })
                        .await
                        .expect("generated call");
                    assert_eq!(echo.value, Some(value), "echo mismatch");
                }
            })
        };
        let raw_call = {
            let (raw, value) = (Arc::clone(&raw), value.clone());
            Arc::new(move || {
                let (raw, value) = (Arc::clone(&raw), value.clone());
                async move {
                    let echo = if pubsub {
                        raw.publish(&value).await
                    } else {
                        raw.rpc(&value).await
                    };
                    assert_eq!(echo["value"], value, "echo mismatch");
                }
            })
        };
        for inflight in [1_usize, 100] {
            measure(Arc::clone(&generated), warmup, inflight, max_seconds).await;
            measure(Arc::clone(&raw_call), warmup, inflight, max_seconds).await;
            for round in 0..rounds {
                let order = if round % 2 == 1 {
                    ["raw", "generated"]
                } else {
                    ["generated", "raw"]
                };
                for kind in order {
                    let (elapsed, latencies) = if kind == "generated" {
                        measure(Arc::clone(&generated), calls, inflight, max_seconds).await
                    } else {
                        measure(Arc::clone(&raw_call), calls, inflight, max_seconds).await
                    };
                    println!(
                        "{}",
                        json!({"lang": "rust", "transport": transport, "inflight": inflight, "kind": kind,
                            "round": round, "elapsed_s": elapsed, "lat_us": latencies})
                    );
                }
            }
        }
        api.close().await;
        raw.client.close().await;
    }
}
