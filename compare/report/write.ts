/** Writes a report into its run folder: report.json (every number), report.md and report.html. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './schema.js';

export function writeReport(dir: string, report: Report): void {
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 1));
  writeFileSync(join(dir, 'report.md'), renderMarkdown(report));
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
}
