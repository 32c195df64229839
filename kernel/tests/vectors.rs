//! Known answers from the one fixtures file that the TypeScript conformance suite reads too, so
//! every engine, Rust or not, is held to the same table.

use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/vectors.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).expect("fixtures/vectors.json is valid JSON")
}

fn cases<'a>(vectors: &'a Value, key: &str) -> &'a [Value] {
    let cases = vectors[key]
        .as_array()
        .unwrap_or_else(|| panic!("fixtures have no {key} array"));
    assert!(!cases.is_empty(), "fixtures {key} array is empty");
    cases
}

#[test]
fn prime_counts_match_the_fixtures() {
    let vectors = vectors();
    for case in cases(&vectors, "primes") {
        let limit = case["limit"]
            .as_u64()
            .expect("limit is a non-negative integer");
        let count = case["count"]
            .as_u64()
            .expect("count is a non-negative integer");
        assert_eq!(kernel::sieve_count(limit), count, "pi({limit})");
    }
}

#[test]
fn sha256_chain_digests_match_the_fixtures() {
    let vectors = vectors();
    for case in cases(&vectors, "sha256_chain") {
        let rounds = case["rounds"]
            .as_u64()
            .expect("rounds is a non-negative integer");
        let digest = case["digest"].as_str().expect("digest is a hex string");
        let hex: String = kernel::sha256_chain(rounds)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, digest, "h_{rounds}");
    }
}
