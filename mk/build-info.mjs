// Writes the build-info JSON that sits next to a Rust artifact: the compiler and the flags that
// change speed, read from the files that set them (the workspace's [profile.release] and the
// artifact target's rustflags in .cargo/config.toml files), so the engines' descriptions and every
// benchmark print what was measured instead of a copy that could drift.
//
// usage: node mk/build-info.mjs OUT.json ARTIFACT RUSTC TARGET CARGO_TOML [CONFIG_TOML...]
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [out, artifact, rustc, target, cargoToml, ...configs] = process.argv.slice(2);
if (!out || !artifact || !rustc || !target || !cargoToml) {
  console.error('usage: node mk/build-info.mjs OUT.json ARTIFACT RUSTC TARGET CARGO_TOML [CONFIG_TOML...]');
  process.exit(2);
}

/**
 * The `key = value` pairs of one [section] of a TOML file. Only the subset these files use:
 * whole-line comments, and values that are JSON too (strings, numbers, one-line string arrays).
 */
function tomlSection(file, section) {
  const values = {};
  let inside = false;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      inside = line === `[${section}]`;
      continue;
    }
    const eq = line.indexOf('=');
    if (inside && eq > 0) values[line.slice(0, eq).trim()] = tomlValue(line.slice(eq + 1).trim());
  }
  return values;
}

/** A value that is JSON too, with a trailing `# comment` allowed. */
function tomlValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/\s+#[^"]*$/, ''));
  }
}

const profile = tomlSection(cargoToml, 'profile.release');
// Cargo appends the rustflags of every config file that applies (deepest folder first), and so do we.
const rustflags = configs.flatMap((file) => tomlSection(file, `target.${target}`).rustflags ?? []);
const rustcVersion = execFileSync(rustc, ['--version'], { encoding: 'utf8' }).trim();

const info = {
  artifact: basename(artifact),
  bytes: statSync(artifact).size,
  target,
  rustc: rustcVersion,
  profile,
  rustflags,
  summary: [
    rustcVersion,
    `--target ${target}`,
    Object.entries(profile)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    rustflags.join(' '),
  ]
    .filter(Boolean)
    .join(', '),
  built_at: new Date().toISOString(),
};
writeFileSync(out, `${JSON.stringify(info, null, 2)}\n`);
console.log(`${out}: ${info.summary}`);
