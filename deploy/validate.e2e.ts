/**
 * The offline validators refuse what they must: a deliberately broken copy of each kind of file is
 * fed to the same check `make validate-deploy` runs (scripts/validate-deploy.sh <check> <file>),
 * which must fail with the validator's own message; the real file passes the same check. Run by
 * `make test-deploy` after `make validate-deploy` installed the validators.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'validate-deploy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function check(kind: string, path: string) {
  const r = spawnSync(join(ROOT, 'scripts/validate-deploy.sh'), [kind, path], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A copy of `file` with `from` replaced by `to` (which must occur), under a name of its own. */
function broken(file: string, from: string | RegExp, to: string, name: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `${file} no longer contains ${from}: update this test`);
  const path = join(dir, name);
  writeFileSync(path, changed);
  return path;
}

const CASES = [
  {
    kind: 'k8s',
    file: 'deploy/k8s/base/deployment.yaml',
    what: 'a misspelt field (readinesProbe)',
    from: 'readinessProbe:\n            httpGet:\n              path: /heavy/health/',
    to: 'readinesProbe:\n            httpGet:\n              path: /heavy/health/',
    message: /did not validate for resource deployment\/backend-bottleneck-lab .*'readinesProbe' was unexpected/,
  },
  {
    kind: 'k8s',
    file: 'deploy/k8s/base/hpa.yaml',
    what: 'a replica count that is not an integer',
    from: 'minReplicas: 2',
    to: 'minReplicas: two',
    message: /did not validate for resource horizontalpodautoscaler\/backend-bottleneck-lab/,
  },
  {
    kind: 'cfn',
    file: 'deploy/ecs/fargate.yaml',
    what: 'a Fargate size that does not exist (1 vCPU / 256 MB)',
    from: "Memory: '2048'",
    to: "Memory: '256'",
    message: /E3047:Cpu '1024' is not compatible with memory '256'/,
  },
  {
    kind: 'cfn',
    file: 'deploy/ecs/ec2.yaml',
    what: 'a target group health check on a port out of range',
    from: 'Port: 8000\n      HealthCheckProtocol',
    to: 'Port: 80000\n      HealthCheckProtocol',
    message: /E3034:80000 is greater than the maximum of 65535/,
  },
  {
    kind: 'prom',
    file: 'prom.yml',
    what: 'a scrape interval that is not a duration',
    from: 'scrape_interval: 1s',
    to: 'scrape_interval: 1 second',
    message: /FAILED: parsing YAML file .*not a valid duration string: "1 second"/,
  },
  {
    kind: 'prom',
    file: 'deploy/k8s/base/prometheus/prometheus.yml',
    what: 'a DNS SD record type Prometheus does not know',
    from: 'type: A',
    to: 'type: CNAME',
    message: /FAILED: parsing YAML file .*invalid DNS-SD records type CNAME/,
  },
  {
    kind: 'statsd',
    file: 'statsd.conf',
    what: 'a mapping with an unknown metric type',
    from: 'match_metric_type: counter',
    to: 'match_metric_type: countr',
    message: /error loading config.*invalid metric type 'countr'/,
  },
  {
    kind: 'docker',
    file: 'Dockerfile',
    what: 'a base image on the moving :latest tag',
    from: /^FROM \$\{RUNTIME_IMAGE\}$/m,
    to: 'FROM debian:latest',
    message: /DL3007 warning: Using latest is prone to errors/,
  },
] as const;

describe("validate-deploy refuses a broken copy of each kind of file with the validator's message", () => {
  for (const c of CASES) {
    it(`${c.kind}: ${c.file} with ${c.what}`, () => {
      const good = check(c.kind, join(ROOT, c.file));
      assert.equal(good.status, 0, `the real ${c.file} must pass:\n${good.output}`);
      const name = `${c.kind}-${c.file.replace(/[^a-z0-9.]+/gi, '_')}`;
      const bad = check(c.kind, broken(c.file, c.from, c.to, name));
      assert.notEqual(bad.status, 0, `the broken copy passed:\n${bad.output}`);
      assert.match(bad.output, c.message);
      console.log(
        `  refused: ${
          bad.output
            .trim()
            .split('\n')
            .filter((l) => c.message.test(l))
            .join(' | ') || bad.output.trim()
        }`,
      );
    });
  }

  it('k8s: the rendered kustomization with a broken generated input (a copy of deploy/k8s)', () => {
    // The whole tree, so kustomize's relative paths (../../../statsd.conf) resolve in the copy.
    const tree = join(dir, 'tree');
    cpSync(join(ROOT, 'deploy'), join(tree, 'deploy'), { recursive: true });
    cpSync(join(ROOT, 'statsd.conf'), join(tree, 'statsd.conf'));
    const pdb = join(tree, 'deploy/k8s/base/pdb.yaml');
    writeFileSync(pdb, readFileSync(pdb, 'utf8').replace('maxUnavailable: 1', 'maxUnavailable: [1]'));
    const bad = check('k8s', join(tree, 'deploy/k8s/base'));
    assert.notEqual(bad.status, 0, bad.output);
    assert.match(bad.output, /did not validate for resource poddisruptionbudget\/backend-bottleneck-lab/);
  });
});
