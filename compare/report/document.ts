/**
 * The report as a document: blocks of text with a little emphasis, which report.md and report.html
 * both render (markdown.ts builds it from the report). Neither writer parses the other's output.
 */

/** A run of text: plain, strong, or code. */
export type Inline = string | { readonly strong: string } | { readonly code: string };
/** Text with emphasis; a plain string has none. */
export type Text = string | readonly Inline[];

export type Block = (
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: Text }
  | { readonly kind: 'paragraph'; readonly text: Text }
  | { readonly kind: 'list'; readonly items: readonly Text[] }
  | { readonly kind: 'table'; readonly head: readonly Text[]; readonly rows: readonly (readonly Text[])[] }
  | { readonly kind: 'code'; readonly lines: readonly string[] }
  | { readonly kind: 'note'; readonly text: Text }
  /** Where the HTML report puts its charts; Markdown has none. */
  | { readonly kind: 'charts' }
) & {
  /** Blank lines before the block in Markdown (1 when absent). */
  readonly gap?: number;
};

export const strong = (s: string): Inline => ({ strong: s });
export const code = (s: string): Inline => ({ code: s });

/**
 * Text the run recorded in its manifest (its notes, the monitoring note), where a command stands
 * between backticks (\`make monitoring\`): those spans are code; nothing else is read into it.
 */
export function recorded(s: string): Text {
  const parts = s.split(/`([^`]*)`/);
  return parts.length === 1 ? s : parts.map((p, i) => (i % 2 === 1 ? code(p) : p)).filter((p) => p !== '');
}

const runs = (t: Text): readonly Inline[] => (typeof t === 'string' ? [t] : t);

/** Text as Markdown inline: **strong**, `code`. */
export function inlineMarkdown(t: Text): string {
  return runs(t)
    .map((r) => (typeof r === 'string' ? r : 'strong' in r ? `**${r.strong}**` : `\`${r.code}\``))
    .join('');
}

function mdCell(t: Text): string {
  return inlineMarkdown(t).replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function blockMarkdown(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return [`${'#'.repeat(b.level)} ${inlineMarkdown(b.text)}`];
    case 'paragraph':
      return [inlineMarkdown(b.text)];
    case 'list':
      return b.items.map((i) => `- ${inlineMarkdown(i)}`);
    case 'table':
      return [`| ${b.head.map(mdCell).join(' | ')} |`, `|${b.head.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
    case 'code':
      return ['```', ...b.lines, '```'];
    case 'note':
      return [`> ${inlineMarkdown(b.text)}`];
    case 'charts':
      return [];
  }
}

/** The document as Markdown, blocks apart by their gaps, ending in a newline. */
export function toMarkdown(doc: readonly Block[]): string {
  const out: string[] = [];
  for (const b of doc) {
    const lines = blockMarkdown(b);
    if (lines.length === 0) continue;
    if (out.length > 0) for (let i = 0; i < (b.gap ?? 1); i++) out.push('');
    out.push(...lines);
  }
  return `${out.join('\n')}\n`;
}

export const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function inlineHtml(t: Text): string {
  return runs(t)
    .map((r) => (typeof r === 'string' ? esc(r) : 'strong' in r ? `<strong>${esc(r.strong)}</strong>` : `<code>${esc(r.code)}</code>`))
    .join('');
}

/** A table cell: one line, without the spaces around it. */
function htmlCell(t: Text): string {
  const rs = runs(t).map((r) => (typeof r === 'string' ? r.replaceAll('\n', ' ') : r));
  const first = rs[0];
  const last = rs.length - 1;
  if (typeof first === 'string') rs[0] = first.trimStart();
  if (typeof rs[last] === 'string') rs[last] = (rs[last] as string).trimEnd();
  return inlineHtml(rs);
}

/** The document as HTML elements, one a line; `charts` is what stands where the document says. */
export function toHtml(doc: readonly Block[], charts: string): string {
  const out: string[] = [];
  for (const b of doc) {
    switch (b.kind) {
      case 'heading':
        out.push(
          `<h${b.level} id="${esc(
            inlineMarkdown(b.text)
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-'),
          )}">${inlineHtml(b.text)}</h${b.level}>`,
        );
        break;
      case 'paragraph':
        out.push(`<p>${inlineHtml(b.text)}</p>`);
        break;
      case 'list':
        out.push(`<ul>${b.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('')}</ul>`);
        break;
      case 'table':
        out.push(
          `<table><tr>${b.head.map((c) => `<th>${htmlCell(c)}</th>`).join('')}</tr>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${htmlCell(c)}</td>`).join('')}</tr>`).join('')}</table>`,
        );
        break;
      case 'code':
        out.push(`<pre>${esc(b.lines.join('\n'))}</pre>`);
        break;
      case 'note':
        out.push(`<blockquote>${inlineHtml(b.text)}</blockquote>`);
        break;
      case 'charts':
        out.push(charts);
        break;
    }
  }
  return out.join('\n');
}
