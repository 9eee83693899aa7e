//! The conformance driver of the generated Rust SDK (protocol: tests/conformance/check_vectors.py): it decodes each
//! vector into the generated type as `RpcClient::call` decodes a result (`serde_json::from_slice`), and encodes it
//! again as `call` encodes params (`serde_json::to_vec`).
//!
//! The Rust SDK has no channel subscriptions yet: a publication case (`channel`) decodes the channel's publication
//! type directly, as a result is decoded, and a failure is answered as `reported` (what an error hook would be
//! told).

use std::io::{BufRead, Write};

use conformance_client as conf;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Input {
    name: String,
    #[serde(default)]
    r#type: String,
    #[serde(default)]
    channel: String,
    r#in: String,
}

#[derive(Serialize)]
struct Answer {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    out: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reported: Option<String>,
}

fn round_trip<T: DeserializeOwned + Serialize>(text: &str) -> Result<String, String> {
    let value: T = serde_json::from_slice(text.as_bytes()).map_err(|why| why.to_string())?;
    let out = serde_json::to_vec(&value).map_err(|why| format!("encoding: {why}"))?;
    String::from_utf8(out).map_err(|why| format!("encoding: {why}"))
}

/// The publication type of each channel of conformance.rpc, decoded directly.
fn publication(input: &Input) -> Result<String, String> {
    let text = input.r#in.as_str();
    match input.channel.as_str() {
        "conformance.shapes" => round_trip::<conf::OpenShape>(text),
        "conformance.notes" => round_trip::<conf::Opened>(text),
        other => Err(format!("driver: unknown channel {other}")),
    }
}

/// A decoder's error, not the driver's own (an unknown name) nor one of encoding the decoded value.
fn is_decode_error(why: &str) -> bool {
    !why.starts_with("driver:") && !why.starts_with("encoding:")
}

fn run(input: &Input) -> Result<String, String> {
    let text = input.r#in.as_str();
    match input.r#type.as_str() {
        "Presence" => round_trip::<conf::Presence>(text),
        "Defaults" => round_trip::<conf::Defaults>(text),
        "Numbers" => round_trip::<conf::Numbers>(text),
        "Text" => round_trip::<conf::Text>(text),
        "Containers" => round_trip::<conf::Containers>(text),
        "Unions" => round_trip::<conf::Unions>(text),
        "Untagged" => round_trip::<conf::Untagged>(text),
        "TypedA" => round_trip::<conf::TypedA>(text),
        "Literals" => round_trip::<conf::Literals>(text),
        "Opened" => round_trip::<conf::Opened>(text),
        "OpenUnions" => round_trip::<conf::OpenUnions>(text),
        "OpenLoose" => round_trip::<conf::OpenLoose>(text),
        "Enums" => round_trip::<conf::Enums>(text),
        "Times" => round_trip::<conf::Times>(text),
        "Money" => round_trip::<conf::Money>(text),
        "Blob" => round_trip::<conf::Blob>(text),
        "Anything" => round_trip::<conf::Anything>(text),
        other => Err(format!("driver: unknown type {other}")),
    }
}

fn main() {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("driver: reading stdin");
        if line.trim().is_empty() {
            continue;
        }
        let input: Input = serde_json::from_str(&line).expect("driver: bad input line");
        let is_publication = !input.channel.is_empty();
        let result = if is_publication {
            publication(&input)
        } else {
            run(&input)
        };
        let answer = match result {
            Ok(text) => Answer {
                name: input.name,
                out: Some(text),
                error: None,
                reported: None,
            },
            Err(why) if is_publication && is_decode_error(&why) => Answer {
                name: input.name,
                out: None,
                error: None,
                reported: Some(why),
            },
            Err(why) => Answer {
                name: input.name,
                out: None,
                error: Some(why),
                reported: None,
            },
        };
        serde_json::to_writer(&mut out, &answer).expect("driver: writing stdout");
        out.write_all(b"\n").expect("driver: writing stdout");
    }
}
