/**
 * `make report`: builds a run's report from its raw results and manifest alone (no service, no
 * load): analyse (analyse/collect.ts), put it in words (report/compose.ts), write it (report/write.ts).
 *
 *   node dist/compare/report.js reports/<UTC time>      (make report RUN=reports/<UTC time>)
 *
 * writes report.json (every number), report.md (tables, method, environment) and report.html
 * (the same with charts, self-contained), and prints the summary table.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { collect, RunFolderError } from './analyse/collect.js';
import { composeReport } from './report/compose.js';
import type { Report } from './report/schema.js';
import { printSummary } from './report/text.js';
import { writeReport } from './report/write.js';

/** Analyses the run folder and writes report.json, report.md and report.html into it; returns the report. */
export async function buildReport(dir: string): Promise<Report> {
  const report = composeReport(await collect(dir));
  writeReport(dir, report);
  return report;
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? process.env['RUN'];
  if (!dir) {
    console.error('usage: report.js <run folder>   (make report RUN=reports/<UTC time>)');
    process.exit(2);
  }
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error(`${dir} has no manifest.json: not a compare run folder`);
    process.exit(2);
  }
  const report = await buildReport(dir);
  printSummary(report);
  console.log(`\nwrote ${join(dir, 'report.json')}, report.md, report.html`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((err) => {
    if (err instanceof RunFolderError) {
      console.error(`make report: ${process.argv[2] ?? process.env['RUN']}: ${err.message}`);
      process.exit(2);
    }
    console.error('fatal:', err);
    process.exit(1);
  });
}
