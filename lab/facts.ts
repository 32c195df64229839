/**
 * Facts every tool of the lab shares and none owns: the seed's objectives and quoted figures, the
 * peers (peers/) and how they are named. The service's own settings and their defaults stay in
 * server/config.ts (`CONFIG_DEFAULTS`, read through lab/index.ts); the workload in server/params.ts.
 */

/**
 * The seed's k6 latency thresholds on the heavy endpoint: p95 < 3 s and p99 < 6 s are required,
 * p50 < 1 s too by `make smoke`/`make load` (loadtests/config.ts) and shown by `make compare`.
 */
export const SEED_SLO = Object.freeze({ p50Ms: 1000, p95Ms: 3000, p99Ms: 6000 });

/** The lab's own /hello objective: a step passes with 0 errors and p99 under this (`make compare`, `make bench-generators`). */
export const HELLO_SLO_P99_MS = 10;

/**
 * The Django figures QUOTED by the seed documents (someone else's machine and code): context only,
 * labelled as quoted. Every "vs" figure divides by the peers measured in the same run.
 */
export const SEED_QUOTED = Object.freeze({
  helloReqPerSec: 1500,
  heavySecPerRequest: 1.2,
  /** One CPU doing 1.2 s of work per request finishes at most 1/1.2 requests per second. */
  heavyReqPerSec: 1 / 1.2,
});

// The peers' names live in lab/peers.ts (the Makefile checks PEER against them through the CLI).
import type { PeerName } from './peers.js';

export { PEER_NAMES, type PeerName } from './peers.js';
/** The one mode name of a peer's heavy rows (a peer has no engines or modes of its own). */
export const PEER_MODE: Readonly<Record<PeerName, string>> = Object.freeze({ django: 'gunicorn', 'node-http': '-', 'uws-bare': '-' });
/** How a report names each peer. */
export const PEER_LABEL: Readonly<Record<PeerName, string>> = Object.freeze({ django: 'Django', 'node-http': 'node:http', 'uws-bare': 'bare uWS' });
