/**
 * The peers (peers/): after the lab, each peer in turn replaces it under `make run-constrained
 * PEER=...` (same limits, method and generators), is checked before any load on it, then goes
 * through the lab's own scenarios: /hello's open-model search and wrk, and for Django the heavy
 * search against the same objective, and /hello beside heavy load. Their figures are what every
 * "vs" column of the report divides by.
 */
import { heavyReference } from '../../../lab/index.js';
import type { PeerRecord } from '../manifest.js';
import { PEER_MODE, type PeerName } from '../../../lab/facts.js';
import { Sampler } from '../../../lab/proc.js';
import { ConstrainedService } from '../service.js';
import type { Run } from '../runner.js';
import { verificationFailure, verify } from '../verify.js';
import { heavy } from './heavy.js';
import { hello } from './hello.js';
import { mixed } from './mixed.js';
import { join } from 'node:path';

/** Stops the service measured so far and starts `peer` in its place, on the same host and port. */
async function switchTo(run: Run, peer: PeerName, record: PeerRecord): Promise<void> {
  run.sampler?.stop();
  await run.service.stop();
  if (run.target === 'lab') run.manifest.constrained.end = run.service.readState();
  else if (run.manifest.peers?.[run.target]) run.manifest.peers[run.target]!.constrained.end = run.service.readState();
  run.target = peer;
  run.service = new ConstrainedService(run.service.host, run.service.port, run.dir, peer);
  run.health = null;
  // The image holds the lab's server only: with METHOD=docker a peer runs under run-constrained's
  // auto method (a cgroup or systemd scope, the same limits), and the report says so.
  const docker = process.env['METHOD'] === 'docker';
  if (docker) run.note(`METHOD=docker: peer ${peer} is not in the image; it ran under run-constrained's auto method (cgroup or systemd scope) with the same limits`);
  const health = await run.service.start(run.log, run.serviceCpu, docker ? { METHOD: 'auto' } : {}, run.abort.signal);
  // Scenarios read the CPU count from it; the rest of a peer's answer is kept as it is.
  run.health = health;
  record.health = health as unknown as Record<string, unknown>;
  record.constrained.start = run.service.readState();
  run.sampler = new Sampler(join(run.dir, 'samples.jsonl'), run.service.pid, run.service.cpuStatFile, peer);
  run.sampler.start();
  run.save();
}

/** Checks the /hello answer before any load: the lab's exact text. */
async function helloPrimer(run: Run): Promise<string> {
  run.log(`GET ${run.helloUrl}`);
  try {
    const res = await fetch(run.helloUrl, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return res.status === 200 && text === 'Hello, World!' ? 'ok' : `HTTP ${res.status} "${text.slice(0, 80)}"`;
  } catch (err) {
    return `request failed: ${(err as Error).message}`;
  }
}

/** Measures every peer of the plan; the lab's service is stopped first. Throws on a wrong answer. */
export async function peers(run: Run): Promise<void> {
  run.manifest.peers ??= {};
  for (const peer of run.plan.peers.names) {
    run.abort.signal.throwIfAborted();
    const record: PeerRecord = { constrained: { start: null, end: null }, health: null, verification: null, hello: null, failure: null };
    run.manifest.peers[peer] = record;
    console.log(`== peer ${peer}: make run-constrained PEER=${peer}, same limits and method as the lab`);
    try {
      await switchTo(run, peer, record);
      record.hello = await helloPrimer(run);
      if (record.hello !== 'ok') throw new Error(`peer ${peer}: /hello answered ${record.hello}, expected 200 "Hello, World!"`);
      if (peer === 'django') {
        console.log('== verify django: known answers before any load');
        const v = await verify(run, ['django'], {}, [PEER_MODE.django]);
        record.verification = v;
        run.save();
        if (!v.ok) throw new Error(verificationFailure(v));
        console.log(`   ${v.checks.length} checks passed`);
      }
      console.log(`== ${peer} /hello: primer, warm-up, capacity search, closed loop`);
      const helloCapacity = await hello(run, run.plan.peers.hello[peer] ?? {});
      if (peer === 'django') {
        console.log("== django heavy: primer, warm-up, capacity search (its own rate ladder, the lab's objective)");
        const capacity = await heavy(run, 'django', PEER_MODE.django, heavyReference(), run.plan.peers.djangoHeavy);
        // /hello beside heavy load at the lab's rate, or at half of Django's own /hello capacity
        // when the lab's rate is more than Django sustains alone.
        let rate = run.plan.mixed.helloRate;
        if (helloCapacity < 2 * rate) {
          const floor = run.plan.peers.hello.django?.min ?? run.plan.hello.search.min;
          rate = Math.max(floor, Math.floor(helloCapacity / 2));
          run.note(
            `django mixed: /hello at ${rate}/s (${helloCapacity > 0 ? `half its /hello capacity of ${helloCapacity}/s` : "no /hello rate passed: the search's lowest rate"}), not the lab's ${run.plan.mixed.helloRate}/s`,
          );
        }
        console.log(`== django mixed: /hello at ${rate}/s alone, then beside heavy load`);
        await mixed(run, new Map([[`django ${PEER_MODE.django}`, capacity]]), rate);
      }
    } catch (err) {
      record.failure = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      run.save();
    }
  }
}

/** Stops the peer measured last (the run's end) and records its final counters. */
export async function stopPeer(run: Run): Promise<void> {
  if (run.target === 'lab') return;
  run.sampler?.stop();
  await run.service.stop();
  const record = run.manifest.peers?.[run.target];
  if (record) record.constrained.end = run.service.readState();
}
