//! Tests of the generated Rust SDK: see tests/.
