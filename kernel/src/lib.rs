//! The lab's CPU work, shared by every Rust engine: a prime count by an odd-only bitset sieve
//! and a SHA-256 chain. No binding code lives here; `native/` (napi-rs) and `wasm/` (raw
//! `extern "C"` exports) only convert types and call these two functions, so engines differ in
//! how they are called, never in what they compute.
//!
//! Both functions are pure and allocate only what they need for one call, so they are safe to
//! call from any thread (the napi `AsyncTask` runs them on the libuv pool).
#![warn(missing_docs, unreachable_pub)]
#![forbid(unsafe_code)]

mod sha256_chain;
mod sieve;

pub use sha256_chain::sha256_chain;
pub use sieve::sieve_count;
