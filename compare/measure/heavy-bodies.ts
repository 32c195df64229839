/** What the heavy answers inside one vegeta results file say, decoded from their bodies. */
import { median, type HeavyReference } from '../../lab/index.js';
import { vegetaResults } from '../../lab/generators/vegeta.js';

export interface HeavyBodies {
  readonly answers: number;
  /** Answers whose primes_found or digest differ from the reference: any is a failed run. */
  readonly wrongAnswers: number;
  readonly medianCpuSec: number | null;
  readonly medianQueueSec: number | null;
  readonly medianTotalSec: number | null;
  readonly medianIoSec: number | null;
  /** Problem codes of the non-2xx answers (OVERLOADED, DEADLINE_EXCEEDED...), counted. */
  readonly problems: Readonly<Record<string, number>>;
}

/** Decodes every response of a heavy results file and checks each answer against the reference. */
export async function heavyBodies(vegeta: string, binFile: string, reference: HeavyReference): Promise<HeavyBodies> {
  const cpu: number[] = [];
  const queue: number[] = [];
  const total: number[] = [];
  const io: number[] = [];
  const problems: Record<string, number> = {};
  let answers = 0;
  let wrong = 0;
  for await (const r of vegetaResults(vegeta, binFile)) {
    // A transport error has no body; it is counted by the summary's errors.
    const body = r.body ?? {};
    if (r.code === 200) {
      answers++;
      if (body['primes_found'] !== reference.primesFound || body['digest'] !== reference.digest) wrong++;
      if (typeof body['cpu_time_sec'] === 'number') cpu.push(body['cpu_time_sec']);
      if (typeof body['queue_time_sec'] === 'number') queue.push(body['queue_time_sec']);
      if (typeof body['total_time_sec'] === 'number') total.push(body['total_time_sec']);
      if (typeof body['io_time_sec'] === 'number') io.push(body['io_time_sec']);
    } else {
      const code = typeof body['code'] === 'string' ? body['code'] : r.code === 0 ? 'TRANSPORT_ERROR' : `HTTP_${r.code}`;
      problems[code] = (problems[code] ?? 0) + 1;
    }
  }
  return { answers, wrongAnswers: wrong, medianCpuSec: median(cpu), medianQueueSec: median(queue), medianTotalSec: median(total), medianIoSec: median(io), problems };
}
