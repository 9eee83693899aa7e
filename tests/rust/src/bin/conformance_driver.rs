//! The conformance driver of the generated Rust SDK (protocol: tests/conformance/check_vectors.py): it decodes each
//! vector into the generated type as `RpcClient::call` decodes a result (`serde_json::from_slice`), and encodes it
//! again as `call` encodes params (`serde_json::to_vec`).

use std::io::{BufRead, Write};

use conformance_client as conf;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Input {
    name: String,
    r#type: String,
    r#in: String,
}

#[derive(Serialize)]
struct Answer {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    out: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn round_trip<T: DeserializeOwned + Serialize>(text: &str) -> Result<String, String> {
    let value: T = serde_json::from_slice(text.as_bytes()).map_err(|why| why.to_string())?;
    let out = serde_json::to_vec(&value).map_err(|why| format!("encoding: {why}"))?;
    String::from_utf8(out).map_err(|why| format!("encoding: {why}"))
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
        let answer = match run(&input) {
            Ok(text) => Answer {
                name: input.name,
                out: Some(text),
                error: None,
            },
            Err(why) => Answer {
                name: input.name,
                out: None,
                error: Some(why),
            },
        };
        serde_json::to_writer(&mut out, &answer).expect("driver: writing stdout");
        out.write_all(b"\n").expect("driver: writing stdout");
    }
}
