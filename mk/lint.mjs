// make lint: every formatter check and linter of the tree, then one count per check; exits 1 on any
// finding. Each tool is asked for one line per finding (the formats below), so counting those lines
// counts the findings, Biome's infos included (its own exit status counts only errors and warnings).
// What each tool checks is its own configuration: biome.jsonc's files.includes, the two Cargo
// workspaces (the root one and wasm/), peers/django/ruff.toml.
//
// usage: RUFF=path/to/ruff node mk/lint.mjs   (from the repository root; mk/lint.mk runs it)
import { spawnSync } from 'node:child_process';

const ruff = process.env.RUFF;
if (!ruff) {
  console.error('lint: RUFF (the path of the ruff binary) is not set; run it through make lint');
  process.exit(2);
}

// clippy's --message-format=short finding: path:line:col: warning|error: message
const CLIPPY_FINDING = /^\S+\.rs:\d+:\d+: (warning|error)/;
const clippy = (...options) => ['clippy', ...options, '--all-targets', '--locked', '--message-format=short', '--', '-D', 'warnings'];

const CHECKS = [
  {
    name: 'TypeScript format and lint (biome ci)',
    cmd: 'node_modules/.bin/biome',
    args: ['ci', '--colors=off', '--reporter=concise', '--max-diagnostics=none', '.'],
    // concise: "× path:line:col: lint/group/rule: message", "i ..." for infos, "× path: format: ..."
    finding: /^[×!i] \S/,
  },
  { name: 'Rust format (cargo fmt)', cmd: 'cargo', args: ['fmt', '--all', '--check', '--message-format', 'short'], finding: /\.rs$/ },
  { name: 'Rust format, wasm/ (cargo fmt)', cwd: 'wasm', cmd: 'cargo', args: ['fmt', '--check', '--message-format', 'short'], finding: /\.rs$/ },
  { name: 'Rust lint (cargo clippy -D warnings)', cmd: 'cargo', args: clippy(), finding: CLIPPY_FINDING },
  // wasm/ is checked for the host: rustup has no wasm32 std here (mk/rust.mk), and the crate has no
  // wasm32-only code. Its own target dir keeps rustup's artifacts apart from Debian's wasm32 build.
  {
    name: 'Rust lint, wasm/ (cargo clippy -D warnings)',
    cwd: 'wasm',
    cmd: 'cargo',
    args: clippy('--target-dir', '../target/wasm-clippy'),
    finding: CLIPPY_FINDING,
  },
  { name: 'Python lint (ruff check)', cmd: ruff, args: ['check', '--no-cache', '--output-format=concise', 'peers/django'], finding: /^\S+:\d+:\d+: [A-Z]+\d+ / },
  { name: 'Python format (ruff format)', cmd: ruff, args: ['format', '--no-cache', '--check', '--output-format=concise', 'peers/django'], finding: /^\S+:\d+:\d+: unformatted: / },
];

const results = CHECKS.map((check) => {
  const run = spawnSync(check.cmd, check.args, { cwd: check.cwd ?? '.', encoding: 'utf8' });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  const findings = output.split('\n').filter((line) => check.finding.test(line)).length;
  // A tool that failed without naming a finding (a crash, a compile error) fails the check too.
  const broken = run.error !== undefined || (run.status !== 0 && findings === 0);
  if (findings > 0 || broken) {
    console.log(`--- ${check.name}: ${[check.cmd, ...check.args].join(' ')}${check.cwd ? ` (in ${check.cwd}/)` : ''}`);
    console.log(run.error ? String(run.error) : output.trimEnd());
  }
  return { name: check.name, findings, broken };
});

const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) console.log(`lint: ${r.name.padEnd(width)}  ${r.broken ? 'FAILED (output above)' : `${r.findings} finding(s)`}`);
process.exit(results.some((r) => r.findings > 0 || r.broken) ? 1 : 0);
