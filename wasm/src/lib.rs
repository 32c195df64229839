//! The kernel crate as a WebAssembly module with raw `extern "C"` exports over linear memory; no
//! wasm-bindgen, so the module has no JS glue and no imports. The loader in
//! server/engines/wasm.ts passes `u64` arguments as BigInt (wasm i64) and reads the digest from
//! linear memory at the returned address.
#![warn(missing_docs, unreachable_pub)]

/// Where `sha256_chain` leaves its digest for the loader to copy out.
static mut DIGEST: [u8; 32] = [0; 32];

/// Count of primes p with 2 <= p <= limit.
#[no_mangle]
pub extern "C" fn sieve_count(limit: u64) -> u64 {
    kernel::sieve_count(limit)
}

/// h_rounds of the SHA-256 chain, written to a 32-byte buffer in linear memory whose address is
/// returned. The buffer is overwritten by the next call.
#[no_mangle]
pub extern "C" fn sha256_chain(rounds: u64) -> *const u8 {
    let digest = kernel::sha256_chain(rounds);
    // SAFETY: a wasm32-unknown-unknown instance built without the atomics feature runs on one
    // thread and exports no way to re-enter this function during the write, so nothing else
    // reads or writes DIGEST meanwhile; the loader copies the 32 bytes out before its next call.
    unsafe {
        DIGEST = digest;
        core::ptr::addr_of!(DIGEST).cast::<u8>()
    }
}
