//! The generated Rust SDK against a real Centrifugo and the Python bridge (tests/fixture), over both transports:
//! typed results, typed errors, timeouts, cancellation (explicit and by dropping the call), token refresh. Run
//! through `make check-rust-live`, which starts the stack and sets the CENTRIFUGO_* variables.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use live_client::{
    ApiClient, CallOptions, CancelToken, ClientConfig, CountParams, EchoParams, Error, FailParams,
    NotifyParams, Priority, SleepParams, TaskCreateParams, TaskStatus, TaskUpdateParams, Transport,
};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the live tests through tests/fixture (make check-rust-live)")
    })
}

fn transports() -> [Transport; 2] {
    [Transport::Rpc, Transport::pubsub()]
}

fn client(transport: Transport) -> ApiClient {
    let config = ClientConfig::new(env("CENTRIFUGO_URL"), env("CENTRIFUGO_TOKEN"))
        .with_transport(transport)
        .with_timeout(Duration::from_secs(20));
    ApiClient::connect(config).expect("client")
}

fn create_params(title: &str) -> TaskCreateParams {
    TaskCreateParams {
        title: title.to_owned(),
        priority: Some(Priority::High),
        labels: None,
        due: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_calls_over_both_transports() {
    for transport in transports() {
        let api = client(transport.clone());
        let task = api
            .tasks_create(&create_params("write the rust sdk"))
            .await
            .expect("create");
        assert_eq!(task.title, "write the rust sdk", "{transport:?}");
        assert_eq!(task.status, TaskStatus::Open, "{transport:?}");
        assert_eq!(task.priority, Some(Priority::High), "{transport:?}");
        let done = api
            .tasks_update(&TaskUpdateParams {
                id: task.id,
                title: None,
                status: Some(TaskStatus::Done),
                priority: None,
            })
            .await
            .expect("update");
        assert_eq!(done.id, task.id);
        assert_eq!(done.status, TaskStatus::Done);
        let health = api.system_health().await.expect("health");
        assert_eq!(health.status, "ok");
        // The bridge says which transport carried the call; an int beyond 2^53 comes back exact.
        let value = serde_json::json!({"big": 9_007_199_254_740_993_i64, "list": [1, "two", null]});
        let echo = api
            .debug_echo(&EchoParams {
                value: Some(value.clone()),
            })
            .await
            .expect("echo");
        let expected = match transport {
            Transport::Rpc => "rpc",
            Transport::PubSub { .. } => "pubsub",
        };
        assert_eq!(echo.transport, expected);
        assert_eq!(echo.user_id, env("CENTRIFUGO_USER"));
        assert_eq!(echo.value, Some(value));
        api.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_errors_over_both_transports() {
    for transport in transports() {
        let api = client(transport.clone());
        let failed = api
            .debug_fail(&FailParams {
                code: Some(1418),
                message: Some("a teapot".to_owned()),
                crash: None,
            })
            .await;
        match failed {
            Err(Error::Rpc {
                code: 1418,
                message,
                ..
            }) => assert_eq!(message, "a teapot"),
            other => panic!("{transport:?}: expected the application error 1418, got {other:?}"),
        }
        let unknown = api
            .tasks_update(&TaskUpdateParams {
                id: -1,
                title: None,
                status: None,
                priority: None,
            })
            .await;
        assert!(
            matches!(unknown, Err(Error::Rpc { code: 1404, .. })),
            "{transport:?}: {unknown:?}"
        );
        api.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_then_the_client_still_works() {
    for transport in transports() {
        let api = client(transport.clone());
        let quick = api.with_options(CallOptions {
            timeout: Some(Duration::from_millis(300)),
            cancel: None,
        });
        let slow = quick.debug_sleep(&SleepParams { seconds: 5.0 }).await;
        assert!(
            matches!(slow, Err(Error::Timeout)),
            "{transport:?}: {slow:?}"
        );
        let health = api.system_health().await;
        assert!(health.is_ok(), "{transport:?}: {health:?}");
        api.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn explicit_and_drop_cancellation() {
    for transport in transports() {
        let api = client(transport.clone());
        let cancel = CancelToken::new();
        let cancellable = api.with_options(CallOptions {
            timeout: None,
            cancel: Some(cancel.clone()),
        });
        let call =
            tokio::spawn(
                async move { cancellable.debug_sleep(&SleepParams { seconds: 5.0 }).await },
            );
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
        let result = call.await.expect("join");
        assert!(
            matches!(result, Err(Error::Cancelled)),
            "{transport:?}: {result:?}"
        );

        // Dropping the future cancels the call as well; the client goes on.
        let dropped = tokio::time::timeout(
            Duration::from_millis(200),
            api.debug_sleep(&SleepParams { seconds: 5.0 }),
        )
        .await;
        assert!(
            dropped.is_err(),
            "{transport:?}: the sleep returned early: {dropped:?}"
        );
        let health = api.system_health().await;
        assert!(health.is_ok(), "{transport:?}: {health:?}");
        api.close().await;
    }
}

/// A connection token for `user` valid `ttl` seconds, from the fixture's token command (HS256 with its secret).
async fn mint_token(user: &str, ttl: u32) -> Result<String, String> {
    let output = tokio::process::Command::new(env("RPCC_FIXTURE_PYTHON"))
        .args([
            "-m",
            "tests.fixture",
            "token",
            user,
            "--ttl",
            &ttl.to_string(),
        ])
        .current_dir(env("RPCC_REPO_ROOT"))
        .output()
        .await
        .map_err(|why| why.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn token_refresh_keeps_the_connection() {
    for transport in transports() {
        let fetched = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&fetched);
        let config = ClientConfig::new(env("CENTRIFUGO_URL"), "")
            .with_get_token(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { mint_token("user-1", 2).await }
            })
            .with_transport(match transport.clone() {
                Transport::PubSub {
                    request_channel, ..
                } => Transport::PubSub {
                    request_channel,
                    user_id: "user-1".to_owned(),
                },
                rpc => rpc,
            });
        let api = ApiClient::connect(config).expect("client");
        api.system_health().await.expect("first call");
        // The token lives 2 s: after 4 s the SDK has refreshed it (the server disconnects a client whose token
        // expired without a refresh); the call succeeds either way, the count tells that a refresh happened.
        tokio::time::sleep(Duration::from_secs(4)).await;
        api.system_health()
            .await
            .expect("call after the first token expired");
        assert!(
            fetched.load(Ordering::SeqCst) >= 2,
            "{transport:?}: the token was fetched once"
        );
        api.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_concurrent_calls_each_get_their_own_result() {
    for transport in transports() {
        let api = client(transport.clone());
        let calls = (0..1000_i64).map(|index| {
            let api = api.clone();
            tokio::spawn(async move {
                let echo = api
                    .debug_echo(&EchoParams {
                        value: Some(serde_json::json!(index)),
                    })
                    .await;
                (index, echo)
            })
        });
        for call in calls.collect::<Vec<_>>() {
            let (index, echo) = call.await.expect("join");
            let echo = echo.unwrap_or_else(|why| panic!("{transport:?}: call {index}: {why}"));
            assert_eq!(echo.value, Some(serde_json::json!(index)), "{transport:?}");
        }
        api.close().await;
    }
}

/// Publishes `data` into `channel` through Centrifugo's server API (curl: the tests need no HTTP client crate).
fn server_publish(channel: &str, data: &serde_json::Value) {
    let body = serde_json::json!({"channel": channel, "data": data}).to_string();
    let output = std::process::Command::new("curl")
        .args([
            "-sS",
            "--fail",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
        ])
        .arg("-H")
        .arg(format!("X-API-Key: {}", env("CENTRIFUGO_API_KEY")))
        .args(["--data", &body])
        .arg(format!("{}/publish", env("CENTRIFUGO_API_URL")))
        .output()
        .expect("curl");
    assert!(
        output.status.success(),
        "publish: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer = String::from_utf8_lossy(&output.stdout);
    assert!(!answer.contains("\"error\""), "publish: {answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn junk_on_the_reply_channel_is_ignored() {
    let api = client(Transport::pubsub());
    api.rpc_client()
        .ready(Duration::from_secs(20))
        .await
        .expect("ready");
    let call = {
        let api = api.clone();
        tokio::spawn(async move { api.debug_sleep(&SleepParams { seconds: 0.5 }).await })
    };
    let channel = format!("user#{}", env("CENTRIFUGO_USER"));
    for junk in [
        serde_json::json!("not an object"),
        serde_json::json!({"unrelated": true}),
        serde_json::json!({"correlation_id": 42}),
        serde_json::json!({"correlation_id": "no-such-call", "result": {"slept": 1.0}}),
        serde_json::json!({"correlation_id": "no-such-call", "error": {"code": 1400, "message": "x"}}),
    ] {
        server_publish(&channel, &junk);
    }
    let result = call
        .await
        .expect("join")
        .expect("the call gets its own reply");
    assert!(result.slept >= 0.0);
    api.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_over_the_message_limit_is_refused_before_sending() {
    for transport in transports() {
        let api = client(transport.clone());
        let big = "x".repeat(70 * 1024);
        let refused = api
            .debug_echo(&EchoParams {
                value: Some(serde_json::json!(big)),
            })
            .await;
        assert!(
            matches!(refused, Err(Error::RequestTooLarge { limit: 65536, .. })),
            "{transport:?}: {refused:?}"
        );
        // Nothing was sent: the connection is the same and works.
        let health = api.system_health().await;
        assert!(health.is_ok(), "{transport:?}: {health:?}");
        assert_eq!(
            api.rpc_client().centrifuge().statistics().connects,
            1,
            "{transport:?}"
        );
        api.close().await;
    }
}

/// One-way methods: a refused call gives the client nothing (`Ok(())`), a burst is all handled (counted on the
/// server, asked until the count is reached: a bound on the wait, not a timing test).
#[tokio::test(flavor = "multi_thread")]
async fn oneway_calls_over_both_transports() {
    for (index, transport) in transports().into_iter().enumerate() {
        let api = client(transport.clone());
        let key = format!("rust-burst-{index}-{}", std::process::id());
        api.debug_notify(&NotifyParams {
            key: key.clone(),
            reject: Some(true),
        })
        .await
        .expect("a refused one-way call is no error on the client");
        let burst = 100;
        for _ in 0..burst {
            api.debug_notify(&NotifyParams {
                key: key.clone(),
                reject: None,
            })
            .await
            .expect("notify");
        }
        let mut count = -1;
        for _ in 0..200 {
            count = api
                .debug_notified(&CountParams { key: key.clone() })
                .await
                .expect("notified")
                .count;
            if count >= burst {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(count, burst, "{transport:?}");
        api.close().await;
    }
}
