//! The JSON form of the generated types: open enums keep unknown values, absent/null/value stay apart, 64-bit
//! integers stay exact.

use live_client::{EchoResult, Priority, TaskStatsResult, TaskStatus};

#[test]
fn open_enums_keep_unknown_values() {
    let status: TaskStatus = serde_json::from_str("\"archived\"").expect("decodes");
    assert_eq!(status, TaskStatus::Unknown("archived".to_owned()));
    assert!(!status.is_known());
    assert_eq!(
        serde_json::to_string(&status).expect("encodes"),
        "\"archived\""
    );
    let known: TaskStatus = serde_json::from_str("\"in_progress\"").expect("decodes");
    assert_eq!(known, TaskStatus::InProgress);
    let priority: Priority = serde_json::from_str("7").expect("decodes");
    assert_eq!(priority, Priority::Unknown(7));
    assert_eq!(serde_json::to_string(&priority).expect("encodes"), "7");
    let stats: TaskStatsResult = serde_json::from_str(
        r#"{"total":9007199254740993,"by_status":{"open":1,"frozen":2},"avg_cycle":null}"#,
    )
    .expect("decodes");
    assert_eq!(stats.total, 9_007_199_254_740_993);
    assert_eq!(
        stats
            .by_status
            .get(&TaskStatus::Unknown("frozen".to_owned())),
        Some(&2)
    );
}

#[test]
fn null_and_absent_defaults() {
    let absent: EchoResult =
        serde_json::from_str(r#"{"user_id":"u","client_id":"c","transport":"rpc"}"#)
            .expect("decodes");
    assert_eq!(absent.value, None);
    let encoded = serde_json::to_value(&absent).expect("encodes");
    assert_eq!(encoded["value"], serde_json::Value::Null);
}

#[test]
fn open_model_sends_a_declared_key_once() {
    use conformance_client::Opened;
    // A key of `extra` that is a field's wire name is not sent from it (the field is), as the Go SDK does: serde's
    // flatten alone wrote it twice, `{"id":1,"id":2,...}`.
    let mut extra = serde_json::Map::new();
    extra.insert("id".to_owned(), serde_json::json!(2));
    extra.insert("note".to_owned(), serde_json::json!("from extra"));
    extra.insert("later".to_owned(), serde_json::json!(true));
    let value = Opened {
        id: 1,
        note: None,
        extra,
    };
    assert_eq!(
        serde_json::to_string(&value).expect("encodes"),
        r#"{"id":1,"later":true}"#
    );
    let received: Opened =
        serde_json::from_str(r#"{"id":1,"note":"n","later":true}"#).expect("decodes");
    assert_eq!(received.extra.len(), 1);
    assert_eq!(
        serde_json::to_string(&received).expect("encodes"),
        r#"{"id":1,"note":"n","later":true}"#
    );
}
