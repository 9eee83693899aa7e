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
