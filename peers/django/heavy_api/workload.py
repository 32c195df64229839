"""The heavy endpoint's work, as the seed describes it and the lab specifies it.

- primes: the count of primes p with 2 <= p <= limit (pi(limit)), by a sieve of Eratosthenes in
  Python;
- hash: a SHA-256 chain from 32 zero bytes, h_i = SHA-256(h_{i-1}), `hashlib.sha256` in a loop;
  the answer is the hex of h_rounds;
- file: io_kb KiB written to a new temporary file, read back, compared, and the file removed.

Written the way a Django developer writes it, not tuned: these are the seed's costs to measure.
"""

import hashlib
import math
import tempfile


def count_primes(limit):
    """pi(limit): the classic sieve, one byte per number."""
    if limit < 2:
        return 0
    is_prime = bytearray([1]) * (limit + 1)
    is_prime[0] = is_prime[1] = 0
    for i in range(2, math.isqrt(limit) + 1):
        if is_prime[i]:
            for multiple in range(i * i, limit + 1, i):
                is_prime[multiple] = 0
    return sum(is_prime)


def sha256_chain(rounds):
    """Hex digest of h_rounds, where h_0 is 32 zero bytes and h_i = SHA-256(h_{i-1})."""
    digest = bytes(32)
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


# The lab's file content: byte i is (i * 31 + 7) mod 256, which repeats every 256 bytes.
_PATTERN = bytes((i * 31 + 7) & 0xFF for i in range(256))


class FileRoundTripError(Exception):
    """The file step that failed, and why."""

    def __init__(self, step, reason):
        super().__init__(f'file I/O failed at step "{step}": {reason}')
        self.step = step


def file_round_trip(directory, kb):
    """Writes kb KiB to a new file in `directory`, reads it back, checks it, removes it."""
    size = kb * 1024
    data = (_PATTERN * (size // 256 + 1))[:size]
    step = "open"
    try:
        # delete=True: the file is gone when the block ends, whatever happened inside it.
        with tempfile.NamedTemporaryFile(dir=directory, prefix="heavy-", suffix=".tmp") as f:
            step = "write"
            f.write(data)
            f.flush()
            step = "read"
            f.seek(0)
            back = f.read()
            step = "verify"
            if back != data:
                raise ValueError(f"read {len(back)} bytes that differ from the {size} written")
            step = "close"
    except (OSError, ValueError) as err:
        raise FileRoundTripError(step, err) from err
