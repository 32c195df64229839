/**
 * Cost per million requests, estimated from this machine's measured capacity and a dated, sourced
 * rates file (deploy/rates/aws-us-east-1.json, or RATES=<file>; nothing is fetched):
 *
 *   cost per 1e6 requests = hourly price of one 1-CPU task / (capacity x 3600) x 1e6
 *   tasks for TARGET_RPS  = ceil(TARGET_RPS x 1.3 / capacity)          (30% headroom)
 *
 * A task is what the lab measures: 1 CPU and 256 MB. On Fargate the smallest size holding 1 vCPU is
 * 1 vCPU / 2 GB (there is no 1 vCPU / 256 MB size), so a task costs 1 vCPU-hour + 2 GB-hours. On
 * EC2 a task is 1024 CPU units, so an instance holds floor(vCPUs) tasks (fewer if memory runs out
 * first), and a task costs the instance's hourly price divided by that. These are estimates: this
 * machine's CPU is not AWS's, ARM prices are applied to capacity measured on x86, and load
 * balancer, traffic and idle capacity are not counted.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CapacityBound } from './bound.js';

/** The seed's peak: its k6 load test ends at 150 virtual users; read as 150 requests/s. */
export const DEFAULT_TARGET_RPS = 150;
export const HEADROOM = 0.3;
export const DEFAULT_RATES = 'deploy/rates/aws-us-east-1.json';
/** Memory of one task on EC2 (the service's 256 MiB plus the sidecar's share), for packing. */
const TASK_MEMORY_MIB = 256;
const FARGATE_TASK = { vcpu: 1, gb: 2 } as const;

interface Sourced {
  source: string;
  read: string;
  sourceKind?: string;
}
export interface FargateRate extends Sourced {
  vcpuHour: number;
  gbHour: number;
}
export interface Ec2Rate extends Sourced {
  type: string;
  arch: string;
  vcpus: number;
  memoryGiB: number;
  hourly: number;
}
export interface Rates {
  region: string;
  currency: string;
  pricing: string;
  fargate: Record<string, FargateRate>;
  ec2: Ec2Rate[];
  notFound?: string;
}

export class RatesError extends Error {
  override readonly name = 'RatesError';
}

function sourced(where: string, x: Record<string, unknown>, numbers: string[]): void {
  for (const k of numbers) {
    if (typeof x[k] !== 'number' || !(Number(x[k]) > 0)) throw new RatesError(`${where}.${k} must be a positive number (got ${JSON.stringify(x[k])})`);
  }
  if (typeof x['source'] !== 'string' || !/^https:\/\//.test(x['source'])) throw new RatesError(`${where}.source must be the https address the price was read from`);
  if (typeof x['read'] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(x['read']))
    throw new RatesError(`${where}.read must be the date the price was read, YYYY-MM-DD (got ${JSON.stringify(x['read'])})`);
}

/** Reads and checks a rates file: every price positive, sourced and dated. */
export function loadRates(file: string): Rates {
  if (!existsSync(file)) throw new RatesError(`RATES: no such file ${file}`);
  let r: Rates;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as Rates;
  } catch (err) {
    throw new RatesError(`RATES: ${file} is not JSON (${(err as Error).message})`);
  }
  for (const k of ['region', 'currency', 'pricing'] as const) if (typeof r[k] !== 'string') throw new RatesError(`RATES: ${k} must be a string`);
  if (typeof r.fargate !== 'object' || r.fargate === null) throw new RatesError('RATES: fargate must be an object of architectures');
  for (const [arch, x] of Object.entries(r.fargate)) sourced(`fargate.${arch}`, x as unknown as Record<string, unknown>, ['vcpuHour', 'gbHour']);
  if (!Array.isArray(r.ec2)) throw new RatesError('RATES: ec2 must be a list of instance types');
  r.ec2.forEach((x, i) => {
    if (typeof x.type !== 'string' || typeof x.arch !== 'string') throw new RatesError(`ec2[${i}] needs type and arch`);
    sourced(`ec2[${i}] (${x.type})`, x as unknown as Record<string, unknown>, ['vcpus', 'memoryGiB', 'hourly']);
  });
  return r;
}

export interface Platform {
  id: string;
  label: string;
  arch: string;
  /** Price of one 1-CPU task-hour. */
  taskHourly: number;
  /** EC2: tasks one instance holds, and the instance's price. */
  perInstance: number | null;
  instanceHourly: number | null;
  source: string;
  read: string;
}

export function platforms(r: Rates): Platform[] {
  const out: Platform[] = [];
  for (const [arch, x] of Object.entries(r.fargate)) {
    out.push({
      id: `fargate-${arch}`,
      label: `Fargate ${arch} (1 vCPU / 2 GB)`,
      arch,
      taskHourly: x.vcpuHour * FARGATE_TASK.vcpu + x.gbHour * FARGATE_TASK.gb,
      perInstance: null,
      instanceHourly: null,
      source: x.source,
      read: x.read,
    });
  }
  for (const x of r.ec2) {
    const perInstance = Math.min(Math.floor(x.vcpus), Math.floor((x.memoryGiB * 1024) / TASK_MEMORY_MIB));
    if (perInstance < 1) continue;
    out.push({
      id: `ec2-${x.type}`,
      label: `EC2 ${x.type} (${perInstance} tasks)`,
      arch: x.arch,
      taskHourly: x.hourly / perInstance,
      perInstance,
      instanceHourly: x.hourly,
      source: x.source,
      read: x.read,
    });
  }
  return out;
}

export interface CostSubject {
  /** e.g. "native/pool", "django". */
  name: string;
  /** req/s of one 1-CPU task at the objective. */
  capacity: number;
  /** A lower-bound capacity makes its cost an upper bound (bound.ts); absent: the service's limit. */
  bound?: CapacityBound;
}

export interface CostRow {
  subject: string;
  platform: string;
  capacity: number;
  /** 'service': exact; otherwise capacity is a lower bound, so cost and tasks are upper bounds. */
  bound: CapacityBound;
  taskHourly: number;
  costPerMillion: number;
  tasks: number;
  /** EC2: instances for those tasks; Fargate: null. */
  instances: number | null;
  fleetHourly: number;
}

export interface CostReport {
  targetRps: number;
  headroom: number;
  ratesFile: string;
  region: string;
  currency: string;
  platforms: Platform[];
  rows: CostRow[];
  /** The rates file's pricing model (on-demand...) and what it says it could not find. */
  pricing: string;
  notFound: string | null;
}

/** The cost of every subject on every platform. Subjects without a positive capacity are skipped. */
export function costReport(subjects: CostSubject[], rates: Rates, ratesFile: string, targetRps: number): CostReport {
  const ps = platforms(rates);
  const rows: CostRow[] = [];
  for (const s of subjects) {
    if (!(s.capacity > 0)) continue;
    for (const p of ps) {
      const tasks = Math.ceil((targetRps * (1 + HEADROOM)) / s.capacity);
      const instances = p.perInstance !== null ? Math.ceil(tasks / p.perInstance) : null;
      rows.push({
        subject: s.name,
        platform: p.label,
        capacity: s.capacity,
        bound: s.bound ?? 'service',
        taskHourly: p.taskHourly,
        costPerMillion: (p.taskHourly / (s.capacity * 3600)) * 1e6,
        tasks,
        instances,
        fleetHourly: instances !== null ? instances * p.instanceHourly! : tasks * p.taskHourly,
      });
    }
  }
  return {
    targetRps,
    headroom: HEADROOM,
    ratesFile,
    region: rates.region,
    currency: rates.currency,
    platforms: ps,
    rows,
    pricing: rates.pricing,
    notFound: rates.notFound ?? null,
  };
}

/** RATES and TARGET_RPS, checked. */
export function readCostEnv(env: Readonly<Record<string, string | undefined>> = process.env): { ratesFile: string; targetRps: number } {
  const raw = (env['TARGET_RPS'] ?? '').trim();
  const targetRps = raw === '' ? DEFAULT_TARGET_RPS : Number(raw);
  if (!Number.isFinite(targetRps) || targetRps <= 0) throw new RatesError(`TARGET_RPS must be a positive number of requests per second (got "${raw}")`);
  return { ratesFile: (env['RATES'] ?? '').trim() || DEFAULT_RATES, targetRps };
}
