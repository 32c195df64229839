//! The SHA-256 chain: `h_0` is 32 zero bytes and `h_i = SHA-256(h_{i-1})`.
//!
//! Every input is exactly 32 bytes, so SHA-256's padding always yields ONE 64-byte block of a
//! fixed shape: the previous digest, the `0x80` terminator, zeros, and the bit length 256. Each
//! round is therefore one call of the bare compression function on a block built in place,
//! with none of the buffering a streaming `Sha256` hasher does per call. `sha2::compress256`
//! picks its backend once per process at run time (the SHA-NI instructions on x86_64 CPUs that
//! have them, portable code elsewhere and on wasm32).

use sha2::digest::generic_array::GenericArray;

/// SHA-256's initial state (FIPS 180-4, 5.3.3): every round hashes a fresh one-block message.
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The digest `h_rounds` of the chain `h_0 = [0; 32]`, `h_i = SHA-256(h_{i-1})`.
///
/// ```
/// let h1 = kernel::sha256_chain(1); // SHA-256 of 32 zero bytes
/// assert_eq!(h1[..4], [0x66, 0x68, 0x7a, 0xad]);
/// assert_eq!(kernel::sha256_chain(0), [0; 32]);
/// ```
pub fn sha256_chain(rounds: u64) -> [u8; 32] {
    let mut block = GenericArray::default();
    // Padding of a 32-byte message: the terminator after the data, then the length in bits as a
    // big-endian u64 in the last 8 bytes (256 = 0x0100).
    block[32] = 0x80;
    block[62] = 0x01;
    let mut state = [0u32; 8];
    for _ in 0..rounds {
        for (bytes, word) in block[..32].chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        state = IV;
        sha2::compress256(&mut state, core::slice::from_ref(&block));
    }
    let mut digest = [0u8; 32];
    for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn each_round_equals_the_streaming_hasher() {
        let mut h = [0u8; 32];
        for rounds in 0..50 {
            assert_eq!(sha256_chain(rounds), h, "rounds {rounds}");
            h = Sha256::digest(h).into();
        }
    }
}
