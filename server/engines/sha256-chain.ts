/**
 * The SHA-256 chain in TypeScript: h_0 = 32 zero bytes, h_i = SHA-256(h_{i-1}).
 *
 * Every input is exactly 32 bytes, so each round is ONE compression of a fixed-shape block:
 * words 0..7 are the previous digest, word 8 is the 0x80 padding byte, words 9..14 are zero and
 * word 15 is the bit length (256). The state lives in local variables and the schedule in one
 * reused Int32Array; nothing is allocated per round. Calling `node:crypto` per round instead costs
 * more in the JS/C++ crossing than in the hashing itself (see the node-crypto engine).
 */
// biome-ignore format: FIPS 180-4's layout of the round constants, eight words a line
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Lower-case hex digest of h_rounds. `rounds` is a non-negative safe integer. */
export function sha256Chain(rounds: number): string {
  const h = new Int32Array(8); // h_0: 32 zero bytes, as big-endian words
  const w = new Int32Array(64);
  for (let r = 0; r < rounds; r++) compressDigestBlock(h, w);
  let hex = '';
  for (let i = 0; i < 8; i++) hex += (h[i]! >>> 0).toString(16).padStart(8, '0');
  return hex;
}

/** h := SHA-256(h as 32 bytes), in place. `w` is scratch space for the message schedule. */
function compressDigestBlock(h: Int32Array, w: Int32Array): void {
  for (let i = 0; i < 8; i++) w[i] = h[i]!;
  w[8] = 0x80000000 | 0;
  for (let i = 9; i < 15; i++) w[i] = 0;
  w[15] = 256;
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!;
    const w2 = w[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = IV[0]!,
    b = IV[1]!,
    c = IV[2]!,
    d = IV[3]!;
  let e = IV[4]!,
    f = IV[5]!,
    g = IV[6]!,
    hh = IV[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  // The chained input is the previous digest, but the compression always starts from the IV:
  // each round hashes a fresh one-block message.
  h[0] = (IV[0]! + a) | 0;
  h[1] = (IV[1]! + b) | 0;
  h[2] = (IV[2]! + c) | 0;
  h[3] = (IV[3]! + d) | 0;
  h[4] = (IV[4]! + e) | 0;
  h[5] = (IV[5]! + f) | 0;
  h[6] = (IV[6]! + g) | 0;
  h[7] = (IV[7]! + hh) | 0;
}
