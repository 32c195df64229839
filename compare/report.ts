/**
 * Builds a run's report from its raw results and manifest alone (no service, no load):
 *
 *   node dist/compare/report.js reports/<UTC time>      (make report RUN=reports/<UTC time>)
 *
 * writes report.json (every number), report.md (tables, method, environment) and report.html
 * (the same with charts, self-contained), and prints the summary table.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { collect, RunFolderError } from './collect.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './schema.js';
import { printSummary } from './text.js';

/** Writes report.json, report.md and report.html into the run folder; returns the report. */
export async function buildReport(dir: string): Promise<Report> {
  const report = await collect(dir);
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 1));
  writeFileSync(join(dir, 'report.md'), renderMarkdown(report));
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
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
