/** Writes a report into its run folder: report.json (every number), report.md and report.html. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inlineMarkdown } from './document.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './schema.js';

/** report.json: every number; the method's emphasis as Markdown (`code`), as report.schema.json says. */
export function reportJson(report: Report): string {
  return JSON.stringify({ ...report, method: report.method.map(inlineMarkdown) }, null, 1);
}

export function writeReport(dir: string, report: Report): void {
  writeFileSync(join(dir, 'report.json'), reportJson(report));
  writeFileSync(join(dir, 'report.md'), renderMarkdown(report));
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
}
