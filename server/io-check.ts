import { open, readdir, stat, unlink } from 'node:fs/promises';
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

/** The temporary files this module makes: `heavy-<pid>-<random>.tmp`. */
const TEMP_FILE = /^heavy-(\d+)-[0-9a-f]+\.tmp$/;

/**
 * Writes `kb` KiB to a new file in `dir`, reads it back, checks it byte for byte and deletes it.
 * `kb` = 0 does no file I/O at all. The file is removed on every path (failure, or a client that
 * went away meanwhile): the caller always awaits this to the end. A failing step throws HttpError
 * IO_FAILED naming the step, with the error's code (never the path: the folder is the operator's
 * business, not the client's) and the original error as its `cause`.
 */
export async function fileRoundTrip(dir: string, kb: number): Promise<void> {
  if (kb === 0) return;
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
      // One write(2) may take fewer bytes (a nearly full file system): write the rest until done,
      // so a full disk fails here, as ENOSPC at "write", not later as different bytes at "verify".
      for (let done = 0; done < bytes; ) {
        const { bytesWritten } = await file.write(expected, done, bytes - done, done);
        if (bytesWritten === 0) throw new Error(`short write: ${done} of ${bytes} bytes written`);
        done += bytesWritten;
      }
      step = 'read';
      const back = Buffer.allocUnsafe(bytes);
      let read = 0;
      while (read < bytes) {
        const { bytesRead } = await file.read(back, read, bytes - read, read);
        if (bytesRead === 0) break; // end of file: the verify step says how short it is
        read += bytesRead;
      }
      step = 'verify';
      if (read !== bytes || !back.equals(expected)) throw new Error(`read ${read} bytes that differ from the ${bytes} written`);
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
    throw new HttpError('IO_FAILED', `file I/O failed at step "${step}": ${describeIoError(err)}`, { extensions: { step }, cause: err });
  }
}

/**
 * A file-system error without its path: Node's messages read "EACCES: permission denied, open
 * '/some/dir/file'"; the code and the words are kept, the syscall and path dropped.
 */
export function describeIoError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined) return err.message;
  const words = err.message.startsWith(`${code}: `) ? err.message.slice(code.length + 2).split(',')[0]! : '';
  return words ? `${code} (${words})` : code;
}

/** Whether the data folder can hold the I/O stage's files, and why not. */
export interface DataDirStatus {
  readonly usable: boolean;
  /** Why it cannot be used (an error code and its words, never the path). */
  readonly reason?: string;
}

/** Checks at start (and for health) that `dir` is a folder where a file can be made, written and removed. */
export async function checkDataDir(dir: string): Promise<DataDirStatus> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) return { usable: false, reason: 'not a directory' };
    await fileRoundTrip(dir, 1);
    return { usable: true };
  } catch (err) {
    return { usable: false, reason: err instanceof HttpError ? err.message : describeIoError(err) };
  }
}

/**
 * Removes the temporary files of processes that no longer run (a service killed during its I/O
 * stage leaves its file). Files of other live processes, and anything else in the folder, are left
 * alone: the folder may be shared (the OS temp dir). Call it at start, before any request: a file
 * named with this process's pid then comes from an earlier process that had the same pid (a
 * container's). Returns how many were removed.
 */
export async function sweepStaleFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    if (!m || (Number(m[1]) !== process.pid && isAlive(Number(m[1])))) continue;
    try {
      await unlink(join(dir, name));
      removed++;
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
