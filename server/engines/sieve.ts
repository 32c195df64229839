/**
 * Odd-only, bit-packed sieve of Eratosthenes in TypeScript. Bit i of the composite set stands for
 * the odd number 2i + 1, so 1e8 needs 6.25 MB instead of 100 MB for a byte per number.
 * Shared by every engine whose sieve runs in JavaScript (js, hash-wasm, node-crypto).
 */
export function sieveCount(limit: number): number {
  if (limit < 2) return 0;
  if (limit < 3) return 1;
  // Odd numbers 1, 3, 5, ... <= limit: indices 0..n-1.
  const n = ((limit - 1) >>> 1) + 1;
  const composite = new Uint32Array((n + 31) >>> 5);
  composite[0] = 1; // 1 is not prime
  for (let i = 1; ; i++) {
    const p = 2 * i + 1;
    const start = (p * p) >>> 1; // index of p*p; p*p <= limit < 2^31 keeps this exact
    if (p * p > limit) break;
    if ((composite[i >>> 5]! & (1 << (i & 31))) !== 0) continue;
    for (let j = start; j < n; j += p) composite[j >>> 5]! |= 1 << (j & 31);
  }
  // Bits past n in the last word are unused: mark them so the popcount ignores them.
  const tail = n & 31;
  if (tail !== 0) composite[composite.length - 1]! |= ~0 << tail;
  let composites = 0;
  for (let w = 0; w < composite.length; w++) composites += popcount32(composite[w]!);
  // +1 for the prime 2, which the odd-only table does not hold.
  return composite.length * 32 - composites + 1;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
