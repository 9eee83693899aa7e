//! Fault cases of the generated Rust SDK over both transports, against tests/conformance/faultstack.py (a real
//! Centrifugo the tests can restart, the bridge with the fault handlers): Centrifugo restarted mid-call, and the
//! server disconnecting the user with a code that reconnects (4000) and one that does not (4500). Run through
//! `make check-rust-faults`.

use std::time::Duration;

use faults_client::{ApiClient, BlockParams, ClientConfig, EchoParams, Error, Transport};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run the fault tests through faultstack.py (make check-rust-faults)"
        )
    })
}

fn transports() -> [Transport; 2] {
    [Transport::Rpc, Transport::pubsub()]
}

/// A user no other test uses, and a token for it from the fixture's token command.
fn new_user(label: &str) -> (String, String) {
    let user = format!("rust-{label}-{}", std::process::id());
    let output = std::process::Command::new(env("RPCC_FIXTURE_PYTHON"))
        .args(["-m", "tests.fixture", "token", &user, "--ttl", "3600"])
        .current_dir(env("RPCC_REPO_ROOT"))
        .output()
        .expect("token command");
    assert!(
        output.status.success(),
        "token: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        user,
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
    )
}

fn client(transport: Transport, token: String) -> ApiClient {
    let config = ClientConfig::new(env("CENTRIFUGO_URL"), token)
        .with_transport(transport)
        .with_timeout(Duration::from_secs(30));
    ApiClient::connect(config).expect("client")
}

/// POSTs JSON with curl (the tests need no HTTP client crate); the answer as JSON.
fn post(url: &str, body: &serde_json::Value, header: Option<String>) -> serde_json::Value {
    let mut command = std::process::Command::new("curl");
    command.args([
        "-sS",
        "--fail",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
    ]);
    if let Some(header) = header {
        command.arg("-H").arg(header);
    }
    let output = command
        .args(["--data", &body.to_string(), url])
        .output()
        .expect("curl");
    assert!(
        output.status.success(),
        "{url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null)
}

/// Whether the bridge runs fault.block for `key` now.
fn block_started(key: &str) -> bool {
    let body = serde_json::json!({"client": "test", "transport": "websocket", "protocol": "json", "encoding": "json",
        "user": "test", "method": "fault.started", "data": {"key": key}});
    let answer = post(
        &format!("{}/centrifugo/rpc", env("RPCC_BRIDGE_URL")),
        &body,
        Some(format!("X-Rpcc-Proxy-Secret: {}", env("RPCC_PROXY_SECRET"))),
    );
    answer["result"]["data"]["started"] == serde_json::json!(true)
}

/// Starts fault.block (a call that blocks in the handler) and waits until the handler runs.
async fn start_block(api: &ApiClient, key: &str) -> tokio::task::JoinHandle<Result<(), Error>> {
    let call = {
        let api = api.clone();
        let key = key.to_owned();
        tokio::spawn(async move {
            api.fault_block(&BlockParams { key, seconds: 20.0 })
                .await
                .map(|_| ())
        })
    };
    for _ in 0..600 {
        if block_started(key) {
            return call;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fault.block did not start");
}

async fn echo(api: &ApiClient, value: i64) -> String {
    let result = api
        .debug_echo(&EchoParams {
            value: Some(serde_json::json!(value)),
        })
        .await
        .expect("echo");
    assert_eq!(result.value, serde_json::json!(value));
    result.client_id
}

#[tokio::test(flavor = "multi_thread")]
async fn centrifugo_restarted_mid_call() {
    for transport in transports() {
        let (_, token) = new_user("restart");
        let api = client(transport.clone(), token);
        let before = echo(&api, 0).await;
        let call = start_block(
            &api,
            &format!("restart-{transport:?}-{}", std::process::id()),
        )
        .await;
        let answer = post(
            &format!("{}/restart", env("RPCC_CONTROL_URL")),
            &serde_json::json!({}),
            None,
        );
        assert_eq!(
            answer["restarted"],
            serde_json::json!(true),
            "restart: {answer}"
        );
        let result = call.await.expect("join");
        assert!(
            matches!(result, Err(Error::Disconnected(_))),
            "{transport:?}: {result:?}"
        );
        // The SDK reconnects (and subscribes to the reply channel again) with no user action.
        let after = echo(&api, 1).await;
        assert_ne!(before, after, "{transport:?}: want a new connection");
        api.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn server_disconnect_codes() {
    for transport in transports() {
        for code in [4000_u32, 4500] {
            let (user, token) = new_user(&format!("close{code}"));
            let api = client(transport.clone(), token);
            let before = echo(&api, 0).await;
            let call = start_block(
                &api,
                &format!("close-{code}-{transport:?}-{}", std::process::id()),
            )
            .await;
            let answer = post(
                &format!("{}/disconnect", env("CENTRIFUGO_API_URL")),
                &serde_json::json!({"user": user, "disconnect": {"code": code, "reason": "t"}}),
                Some(format!("X-API-Key: {}", env("CENTRIFUGO_API_KEY"))),
            );
            assert!(answer.get("error").is_none(), "disconnect: {answer}");
            let result = call.await.expect("join");
            assert!(
                matches!(result, Err(Error::Disconnected(_))),
                "{transport:?} {code}: {result:?}"
            );
            if code % 1000 >= 500 {
                // The server asked the client to stay away: a later call fails at once, naming the code.
                let later = api
                    .debug_echo(&EchoParams {
                        value: Some(serde_json::json!(2)),
                    })
                    .await;
                match later {
                    Err(Error::Disconnected(why)) => {
                        assert!(why.contains(&code.to_string()), "{why}")
                    }
                    other => panic!("{transport:?} {code}: want Disconnected, got {other:?}"),
                }
            } else {
                let after = echo(&api, 2).await;
                assert_ne!(before, after, "{transport:?} {code}: want a new connection");
            }
            api.close().await;
        }
    }
}
