/**
 * `make compare`: measure (compare/measure/run.ts writes the run folder), then build the report from
 * that folder alone (compare/report.ts), as `make report RUN=...` would.
 *
 *   node dist/compare/run.js [--profile quick|default|long] [--scale] [--out reports/<UTC time>]
 */
import { lstatSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure/run.js';
import { buildReport } from './report.js';
import { printSummary } from './report/text.js';

/** Points reports/latest at the run (relative, so the tree can move). */
function linkLatest(runDir: string): void {
  const link = join(dirname(runDir), 'latest');
  try {
    if (lstatSync(link)) rmSync(link, { force: true });
  } catch {
    // No previous link.
  }
  symlinkSync(basename(runDir), link);
}

async function main(): Promise<void> {
  const { dir, status, measuredAnything } = await measure(process.argv.slice(2));
  // A stopped or failed run still has a report of what it measured: the raw files are there.
  let reportOk = true;
  if (measuredAnything) {
    try {
      const report = await buildReport(dir);
      printSummary(report);
      // `latest` is the newest finished comparison; a stopped run keeps its report in its folder.
      if (status === 'complete') linkLatest(dir);
      console.log(`\nreport: ${relative(process.cwd(), join(dir, 'report.md'))}, report.html, report.json${status === 'complete' ? ` (reports/latest -> ${basename(dir)})` : ''}`);
    } catch (err) {
      reportOk = false;
      console.error(`building the report failed: ${(err as Error).stack}`);
    }
  }
  process.exit(status === 'complete' && reportOk ? 0 : status === 'interrupted' ? 130 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error('fatal:', err);
    process.exit(1);
  });
}
