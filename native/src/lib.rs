//! napi-rs binding of the kernel crate. Each kernel function comes twice, like napi-rs/node-rs:
//! a `*Sync` call that runs on the calling JS thread, and an `AsyncTask` whose `compute` runs on
//! the libuv thread pool and resolves a Promise, so the event loop stays free. Nothing here
//! computes: it converts JS numbers to `u64` and digests to hex.
#![warn(missing_docs, unreachable_pub)]

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Error, Result, Status, Task};
use napi_derive::napi;

/// A JS number that must be a non-negative integer, as the kernel's `u64`.
fn to_u64(name: &str, value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| {
        Error::new(
            Status::InvalidArg,
            format!("{name} must be a non-negative integer, got {value}"),
        )
    })
}

/// A count as a JS number; counts are at most `limit`, which came in as a JS number.
fn to_js_count(count: u64) -> i64 {
    count as i64
}

fn to_hex(digest: [u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Count of primes p with 2 <= p <= limit, on the calling thread.
#[napi]
pub fn sieve_count_sync(limit: i64) -> Result<i64> {
    Ok(to_js_count(kernel::sieve_count(to_u64("limit", limit)?)))
}

/// Lower-case hex of h_rounds (h_0 = 32 zero bytes, h_i = SHA-256(h_{i-1})), on the calling thread.
#[napi]
pub fn sha256_chain_sync(rounds: i64) -> Result<String> {
    Ok(to_hex(kernel::sha256_chain(to_u64("rounds", rounds)?)))
}

/// The sieve as libuv thread-pool work. The argument is checked in `compute`, so a bad one
/// rejects the Promise instead of throwing where the caller expects a Promise.
pub struct SieveCountTask {
    limit: i64,
}

#[napi]
impl Task for SieveCountTask {
    type Output = u64;
    type JsValue = i64;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(kernel::sieve_count(to_u64("limit", self.limit)?))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(to_js_count(output))
    }
}

/// Count of primes p with 2 <= p <= limit, computed on the libuv thread pool.
#[napi(ts_return_type = "Promise<number>")]
pub fn sieve_count(limit: i64) -> AsyncTask<SieveCountTask> {
    AsyncTask::new(SieveCountTask { limit })
}

/// The SHA-256 chain as libuv thread-pool work; `rounds` is checked in `compute`, as above.
pub struct Sha256ChainTask {
    rounds: i64,
}

#[napi]
impl Task for Sha256ChainTask {
    type Output = [u8; 32];
    type JsValue = String;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(kernel::sha256_chain(to_u64("rounds", self.rounds)?))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(to_hex(output))
    }
}

/// Lower-case hex of h_rounds, computed on the libuv thread pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn sha256_chain(rounds: i64) -> AsyncTask<Sha256ChainTask> {
    AsyncTask::new(Sha256ChainTask { rounds })
}
