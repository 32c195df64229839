import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { code, recorded, strong, toHtml, toMarkdown, type Block } from './document.js';

const doc: Block[] = [
  { kind: 'heading', level: 2, text: 'A <b>' },
  {
    kind: 'table',
    head: ['x', 'y | z'],
    rows: [
      ['1', [strong('2')]],
      [' spaced ', 'two\nlines'],
    ],
  },
  { kind: 'charts' },
  { kind: 'paragraph', text: ['run ', code('make report'), ' & see'], gap: 2 },
  { kind: 'list', items: ['a', [strong('b')]] },
  { kind: 'code', lines: ['<x>', 'y'] },
  { kind: 'note', text: [strong('NOTE:'), ' careful'] },
];

test('one document, two renderings: Markdown with its gaps and escaped cells', () => {
  assert.equal(
    toMarkdown(doc),
    '## A <b>\n\n| x | y \\| z |\n|---|---|\n| 1 | **2** |\n|  spaced  | two lines |\n\n\nrun `make report` & see\n\n- a\n- **b**\n\n```\n<x>\ny\n```\n\n> **NOTE:** careful\n',
  );
});

test('one document, two renderings: HTML escaped, cells trimmed to one line, charts where the document says', () => {
  const html = toHtml(doc, '<figure id="fig-x"></figure>').split('\n');
  assert.equal(html[0], '<h2 id="a-b-">A &lt;b&gt;</h2>');
  assert.equal(html[1], '<table><tr><th>x</th><th>y | z</th></tr><tr><td>1</td><td><strong>2</strong></td></tr><tr><td>spaced</td><td>two lines</td></tr></table>');
  assert.equal(html[2], '<figure id="fig-x"></figure>');
  assert.equal(html[3], '<p>run <code>make report</code> &amp; see</p>');
  assert.equal(html[4], '<ul><li>a</li><li><strong>b</strong></li></ul>');
  assert.equal(html.slice(5).join('\n'), '<pre>&lt;x&gt;\ny</pre>\n<blockquote><strong>NOTE:</strong> careful</blockquote>');
});

test("a run's recorded text marks commands between backticks as code, and nothing else", () => {
  assert.deepEqual(recorded('started by `make monitoring`'), ['started by ', { code: 'make monitoring' }]);
  assert.equal(recorded('no **bold** here'), 'no **bold** here');
});
