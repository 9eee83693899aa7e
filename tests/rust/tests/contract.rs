//! The contract check live (spec/evolution.md, "Comparing hashes at run time"): `make check-rust-live` runs this
//! under a second fixture whose bridge serves the example handlers with `--on-contract-mismatch refuse` and the
//! hash of faults.rpc given as an older one (`--contract-older`). The live crate is exported from those handlers
//! (the bridge's own contract), the faults crate stands for an older contract, the conformance crate for another.

use std::time::Duration;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the contract test through make check-rust-live")
    })
}

fn transports() -> [live_client::Transport; 2] {
    [
        live_client::Transport::Rpc,
        live_client::Transport::pubsub(),
    ]
}

/// The bridge's counters (`/health`).
fn stats() -> serde_json::Value {
    let output = std::process::Command::new("curl")
        .args(["-sS", "--fail"])
        .arg(format!("{}/health", env("RPCC_BRIDGE_URL")))
        .output()
        .expect("curl");
    assert!(
        output.status.success(),
        "health: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let health: serde_json::Value = serde_json::from_slice(&output.stdout).expect("health JSON");
    health["stats"].clone()
}

fn counted(before: &serde_json::Value, after: &serde_json::Value, name: &str) -> i64 {
    after[name].as_i64().unwrap_or(0) - before[name].as_i64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusing_bridge_tells_older_and_other_contracts() {
    assert_eq!(
        env("RPCC_CONTRACT_REFUSING"),
        "1",
        "run through make check-rust-live"
    );
    for transport in transports() {
        let pubsub = transport != live_client::Transport::Rpc;
        let config = live_client::ClientConfig::new(env("CENTRIFUGO_URL"), env("CENTRIFUGO_TOKEN"))
            .with_transport(transport)
            .with_timeout(Duration::from_secs(20));
        let before = stats();

        let own = live_client::ApiClient::connect(config.clone()).expect("client");
        let echo = own
            .debug_echo(&live_client::EchoParams {
                value: Some(serde_json::json!("x")),
            })
            .await
            .expect("the bridge's own contract passes");
        assert_eq!(echo.value, Some(serde_json::json!("x")));
        own.close().await;

        // A runtime client no ApiClient wraps sends no hash (as an SDK older than hashes): accepted.
        let raw = live_client::RpcClient::new(config.clone()).expect("client");
        let value: serde_json::Value = raw
            .call(
                "debug.echo",
                &serde_json::json!({"value": 2}),
                &live_client::CallOptions::default(),
            )
            .await
            .expect("no hash: accepted by the default rule");
        assert_eq!(value["value"], 2);
        raw.close().await;

        let mut faults_config =
            faults_client::ClientConfig::new(env("CENTRIFUGO_URL"), env("CENTRIFUGO_TOKEN"))
                .with_timeout(Duration::from_secs(20));
        if pubsub {
            faults_config = faults_config.with_transport(faults_client::Transport::pubsub());
        }
        let old = faults_client::ApiClient::connect(faults_config).expect("client");
        match old
            .debug_echo(&faults_client::EchoParams { value: None })
            .await
        {
            Err(faults_client::Error::Contract {
                older: true,
                code: 426,
                message,
            }) => assert!(
                message.contains(&format!(
                    "{} is older than the server's",
                    faults_client::CONTRACT_HASH
                )),
                "{message}"
            ),
            other => panic!("want the older-contract refusal, got {other:?}"),
        }
        old.close().await;

        let mut other_config =
            conformance_client::ClientConfig::new(env("CENTRIFUGO_URL"), env("CENTRIFUGO_TOKEN"))
                .with_timeout(Duration::from_secs(20));
        if pubsub {
            other_config = other_config.with_transport(conformance_client::Transport::pubsub());
        }
        let other = conformance_client::ApiClient::connect(other_config).expect("client");
        let params = conformance_client::Anything {
            value: serde_json::json!(1),
        };
        match other.conformance_echo(&params).await {
            Err(conformance_client::Error::Contract {
                older: false,
                code: 412,
                message,
            }) => {
                assert!(message.contains("differs from the server's"), "{message}");
            }
            other => panic!("want the other-contract refusal, got {other:?}"),
        }
        other.close().await;

        let after = stats();
        assert_eq!(counted(&before, &after, "contract_match"), 1);
        assert_eq!(counted(&before, &after, "contract_missing"), 1);
        assert_eq!(counted(&before, &after, "contract_older"), 1);
        assert_eq!(counted(&before, &after, "contract_mismatch"), 2);
    }
}
