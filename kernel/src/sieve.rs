//! Segmented, odd-only, bit-packed sieve of Eratosthenes.
//!
//! Bit `i` stands for the odd number `2i + 1` (the prime 2 is counted apart), so a bit covers two
//! integers. The table is never held whole: one segment of [`SEGMENT_BYTES`] is sieved at a time
//! with the odd primes up to `sqrt(limit)`, counted, and reused for the next range. At 1e8 the
//! whole table would be 6.25 MB and every crossing-off pass would stream it from memory; a
//! segment that fits the L1 data cache keeps every pass there.
//!
//! The smallest odd primes (3 to 13) cross off 87% as many bits as all the others up to 1e4 put
//! together, one bit at a time. Their multiples repeat every 3·5·7·11·13 bits, so each segment
//! starts as a copy of that precomputed pattern instead, 64 bits per step.

/// Bytes of one segment: the L1 data cache of current x86-64 cores (32 KiB on Zen and Skylake).
const SEGMENT_BYTES: usize = 32 * 1024;
const SEGMENT_WORDS: usize = SEGMENT_BYTES / 8;
const SEGMENT_BITS: u64 = (SEGMENT_WORDS * 64) as u64;

/// The primes stamped from a pattern rather than crossed off one by one.
const PRESIEVE_PRIMES: [u64; 5] = [3, 5, 7, 11, 13];
/// The pattern's period in bits: the product of [`PRESIEVE_PRIMES`].
const PRESIEVE_PERIOD: u64 = 3 * 5 * 7 * 11 * 13;

/// Number of primes `p` with `2 <= p <= limit` (the prime-counting function π(limit)).
///
/// Memory is one fixed segment plus O(√limit) for the sieving primes, whatever the limit.
///
/// ```
/// assert_eq!(kernel::sieve_count(100), 25);
/// assert_eq!(kernel::sieve_count(1), 0);
/// ```
pub fn sieve_count(limit: u64) -> u64 {
    if limit < 2 {
        return 0;
    }
    // Odd numbers 1, 3, 5, ... <= limit are indices 0..n.
    let n = (limit - 1) / 2 + 1;
    let base: Vec<u64> = odd_primes_up_to(isqrt(limit))
        .into_iter()
        .filter(|p| !PRESIEVE_PRIMES.contains(p))
        .collect();
    // next[k]: the next index to cross off for base[k], starting at p*p (smaller multiples of p
    // have a smaller prime factor and are crossed off by it).
    let mut next: Vec<u64> = base.iter().map(|&p| p * p / 2).collect();
    let mut segment = vec![0u64; (n.min(SEGMENT_BITS) as usize + 63) / 64];
    let mut count = 1; // the prime 2
    let mut low = 0;
    while low < n {
        let len = (n - low).min(SEGMENT_BITS);
        let words = ((len + 63) / 64) as usize;
        let seg = &mut segment[..words];
        // Bit q of the pattern is bit low + 64w + (q - (low + 64w) mod period) of this segment.
        let mut q = low % PRESIEVE_PERIOD;
        for word in seg.iter_mut() {
            *word = pattern_window(q);
            q += 64;
            if q >= PRESIEVE_PERIOD {
                q -= PRESIEVE_PERIOD;
            }
        }
        if low == 0 {
            seg[0] |= 1; // 1 is not prime
                         // The pattern marks every multiple of its primes, the primes themselves included.
            for p in PRESIEVE_PRIMES {
                seg[0] &= !(1 << (p / 2));
            }
        }
        let high = low + len;
        for (&p, j) in base.iter().zip(next.iter_mut()) {
            let mut i = *j;
            while i < high {
                let bit = (i - low) as usize;
                seg[bit / 64] |= 1 << (bit % 64);
                i += p;
            }
            *j = i;
        }
        // Bits past `len` in the last word are not numbers: mark them so they are not counted.
        let tail = len % 64;
        if tail != 0 {
            seg[words - 1] |= !0u64 << tail;
        }
        count += seg.iter().map(|w| u64::from(w.count_zeros())).sum::<u64>();
        low = high;
    }
    count
}

/// Bits 0..PRESIEVE_PERIOD + 64 of the odd-index table with the multiples of [`PRESIEVE_PRIMES`]
/// set: long enough that every 64-bit window starting inside one period is in it. Built at
/// compile time, so a small limit does not pay for it on every call.
static PATTERN: [u64; PATTERN_WORDS] = presieve_pattern();
const PATTERN_WORDS: usize = ((PRESIEVE_PERIOD + 64) / 64 + 2) as usize;

const fn presieve_pattern() -> [u64; PATTERN_WORDS] {
    let bits = PRESIEVE_PERIOD + 64;
    let mut words = [0u64; PATTERN_WORDS];
    let mut k = 0;
    while k < PRESIEVE_PRIMES.len() {
        let p = PRESIEVE_PRIMES[k];
        // Index i stands for 2i + 1, which p divides when i = p/2 (mod p).
        let mut i = p / 2;
        while i < bits {
            words[(i / 64) as usize] |= 1 << (i % 64);
            i += p;
        }
        k += 1;
    }
    words
}

/// The 64 pattern bits starting at bit `q` (`q < PRESIEVE_PERIOD`).
fn pattern_window(q: u64) -> u64 {
    let (word, shift) = ((q / 64) as usize, q % 64);
    if shift == 0 {
        PATTERN[word]
    } else {
        (PATTERN[word] >> shift) | (PATTERN[word + 1] << (64 - shift))
    }
}

/// The odd primes `p <= max`, by a plain odd-only sieve (`max` is √limit, so this is small).
fn odd_primes_up_to(max: u64) -> Vec<u64> {
    if max < 3 {
        return Vec::new();
    }
    let n = ((max - 1) / 2 + 1) as usize;
    let mut composite = vec![false; n];
    let mut primes = Vec::new();
    for i in 1..n {
        if composite[i] {
            continue;
        }
        let p = 2 * i + 1;
        primes.push(p as u64);
        let mut j = p * p / 2;
        while j < n {
            composite[j] = true;
            j += p;
        }
    }
    primes
}

/// ⌊√x⌋, exact for every `u64` (the float estimate is corrected in both directions).
fn isqrt(x: u64) -> u64 {
    let mut r = (x as f64).sqrt() as u64;
    while r.checked_mul(r).map_or(true, |sq| sq > x) {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).map_or(false, |sq| sq <= x) {
        r += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pi(x) for every x <= max, by the textbook sieve over all integers: a different algorithm
    /// (no odd-only indexing, no segments) for the fast one to agree with.
    fn reference_counts(max: usize) -> Vec<u64> {
        let mut prime = vec![true; max + 1];
        let mut counts = Vec::with_capacity(max + 1);
        let mut count = 0;
        for x in 0..=max {
            if x >= 2 && prime[x] {
                count += 1;
                let mut m = x * x;
                while m <= max {
                    prime[m] = false;
                    m += x;
                }
            }
            counts.push(count);
        }
        counts
    }

    #[test]
    fn matches_the_reference_on_every_small_limit() {
        for (limit, &expected) in reference_counts(5_000).iter().enumerate() {
            assert_eq!(sieve_count(limit as u64), expected, "limit {limit}");
        }
    }

    #[test]
    fn segment_edges_are_counted_once() {
        let edge = 2 * SEGMENT_BITS as usize; // the integers one segment covers
        let expected = reference_counts(3 * edge + 2);
        // Limits whose odd-index count lands just before, on and after each segment boundary.
        for k in 1..=3 {
            for (limit, &count) in expected
                .iter()
                .enumerate()
                .take(k * edge + 3)
                .skip(k * edge - 2)
            {
                assert_eq!(sieve_count(limit as u64), count, "limit {limit}");
            }
        }
    }

    #[test]
    fn pattern_marks_exactly_the_odd_multiples_of_its_primes() {
        for q in 0..PRESIEVE_PERIOD {
            let window = pattern_window(q);
            for bit in 0..64 {
                let odd = 2 * (q + bit) + 1;
                let expected = PRESIEVE_PRIMES.iter().any(|p| odd % p == 0);
                assert_eq!(
                    window >> bit & 1 == 1,
                    expected,
                    "bit {bit} of the window at {q}"
                );
            }
        }
    }

    #[test]
    fn isqrt_is_exact_at_perfect_squares_and_the_top() {
        for r in [0u64, 1, 2, 3, 99, 1 << 16, 4_294_967_295] {
            assert_eq!(isqrt(r * r), r);
            if r > 0 {
                assert_eq!(isqrt(r * r - 1), r - 1);
            }
        }
        assert_eq!(isqrt(u64::MAX), 4_294_967_295);
    }
}
