import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HttpError } from './errors.js';

/** The I/O steps, named in a failure's 500 answer. */
export type IoStep = 'open' | 'write' | 'read' | 'verify' | 'close' | 'unlink';

let pattern = Buffer.alloc(0);

/** Deterministic bytes (i * 31 + 7) mod 256; one buffer, grown to the largest size asked. */
function patternOf(bytes: number): Buffer {
  if (pattern.length < bytes) {
    pattern = Buffer.allocUnsafe(bytes);
    for (let i = 0; i < bytes; i++) pattern[i] = (i * 31 + 7) & 0xff;
  }
  return pattern.subarray(0, bytes);
}

/**
 * Writes `kb` KiB to a new file in `dir`, reads it back, checks it byte for byte and deletes it.
 * The file is removed on every path (failure, or a client that went away meanwhile): the caller
 * always awaits this to the end. A failing step throws HttpError IO_FAILED naming the step.
 */
export async function fileRoundTrip(dir: string, kb: number): Promise<void> {
  const bytes = kb * 1024;
  const expected = patternOf(bytes);
  const path = join(dir, `heavy-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let step: IoStep = 'open';
  let created = false;
  try {
    const file = await open(path, 'wx+'); // wx: never reuse or clobber an existing file
    created = true;
    try {
      step = 'write';
      await file.write(expected, 0, bytes, 0);
      step = 'read';
      const back = Buffer.allocUnsafe(bytes);
      const { bytesRead } = await file.read(back, 0, bytes, 0);
      step = 'verify';
      if (bytesRead !== bytes || !back.equals(expected)) throw new Error(`read ${bytesRead} bytes that differ from the ${bytes} written`);
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
    step = 'close';
    await file.close();
    step = 'unlink';
    await unlink(path);
    created = false;
  } catch (err) {
    if (created) await unlink(path).catch(() => undefined);
    if (err instanceof HttpError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new HttpError('IO_FAILED', `file I/O failed at step "${step}": ${reason}`, { step });
  }
}
