/**
 * What the deployment files promise, checked against the code they deploy: the limits, probes and
 * shutdown timing of deploy/k8s and deploy/ecs agree with server/config.ts, and `make push-ecr`
 * prints the right commands in its dry run without running any. No cluster, no AWS, no validators
 * (those are in validate.e2e.ts).
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the parsed Kubernetes and CloudFormation documents are untyped YAML; each assert checks the shape it reads
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_DEFAULTS } from '../server/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
// CloudFormation's short tags (!Ref, !Sub...) are kept as their plain values: enough to read
// literal properties, which is all these tests look at.
const cfn = (path: string) => parse(read(path), { logLevel: 'silent' }) as any;
const shutdownMs = Number(CONFIG_DEFAULTS.SHUTDOWN_TIMEOUT_MS);

function env(container: any, name: string): string | undefined {
  return container.env?.find((e: any) => e.name === name)?.value;
}

describe('deploy/k8s', () => {
  const deployment = parse(read('deploy/k8s/base/deployment.yaml')) as any;
  const pod = deployment.spec.template.spec;
  const server = pod.containers.find((c: any) => c.name === 'server');

  it('gives every container requests = limits (Guaranteed QoS), the server 1 CPU and 256Mi', () => {
    assert.deepEqual(server.resources.limits, { cpu: '1', memory: '256Mi' });
    for (const c of [...pod.containers, ...pod.initContainers]) {
      assert.deepEqual(c.resources.requests, c.resources.limits, `${c.name}: requests must equal limits`);
    }
  });

  it('probes /heavy/health/ for startup, readiness and liveness', () => {
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      assert.equal(server[probe].httpGet.path, '/heavy/health/', probe);
      assert.equal(server[probe].httpGet.port, 'http', probe);
    }
  });

  it('lets the pod drain: grace period >= preStop + SHUTDOWN_TIMEOUT_MS, which matches the server default', () => {
    assert.equal(env(server, 'SHUTDOWN_TIMEOUT_MS'), CONFIG_DEFAULTS.SHUTDOWN_TIMEOUT_MS);
    const preStop = server.lifecycle.preStop.sleep.seconds as number;
    assert.ok(
      pod.terminationGracePeriodSeconds >= preStop + shutdownMs / 1000 + 1,
      `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} < preStop ${preStop} + ${shutdownMs / 1000} s`,
    );
  });

  it('runs statsd_exporter as a native sidecar on the mapping ConfigMap, the server sending to it', () => {
    const [sidecar] = pod.initContainers;
    assert.equal(sidecar.restartPolicy, 'Always');
    assert.ok(sidecar.args.includes('--statsd.mapping-config=/etc/statsd/statsd.conf'));
    assert.equal(pod.volumes.find((v: any) => v.name === 'statsd-mapping').configMap.name, 'statsd-mapping');
    assert.equal(env(server, 'STATSD_HOST'), '127.0.0.1');
    assert.equal(server.env.find((e: any) => e.name === 'METRICS_INSTANCE').valueFrom.fieldRef.fieldPath, 'metadata.name');
    const kustomization = parse(read('deploy/k8s/base/kustomization.yaml')) as any;
    assert.deepEqual(
      kustomization.configMapGenerator.find((g: any) => g.name === 'statsd-mapping').files,
      ['statsd.conf=../../../statsd.conf'],
      'the mapping must come from the root statsd.conf, not a copy',
    );
  });

  it('splits the distributed attack as rate/N over an Indexed Job of N pods', () => {
    const job = parse(read('deploy/k8s/loadtest/job.yaml')) as any;
    const container = job.spec.template.spec.containers[0];
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.parallelism, job.spec.completions);
    assert.equal(env(container, 'PARTS'), String(job.spec.completions));
    assert.match(container.args[0], /-rate="\$\{RATE\}\/\$\{PARTS\}s"/);
    assert.match(container.args[0], /part-\$\{JOB_COMPLETION_INDEX\}\.bin/);
  });
});

describe('deploy/ecs', () => {
  for (const [file, cpu, memory] of [
    ['deploy/ecs/fargate.yaml', '1024', '2048'],
    ['deploy/ecs/ec2.yaml', '1024', '256'],
  ] as const) {
    const template = cfn(file);
    const task = template.Resources.TaskDefinition.Properties;
    const server = task.ContainerDefinitions.find((c: any) => c.Name === 'server');

    it(`${file}: task ${cpu} CPU units / ${memory} MiB, the sidecar and the server in it`, () => {
      assert.equal(task.Cpu, cpu);
      assert.equal(task.Memory, memory);
      assert.deepEqual(task.ContainerDefinitions.map((c: any) => c.Name).sort(), ['server', 'statsd-exporter']);
      const units = task.ContainerDefinitions.reduce((sum: number, c: any) => sum + c.Cpu, 0);
      assert.ok(units <= Number(cpu), `containers reserve ${units} CPU units in a ${cpu}-unit task`);
    });

    it(`${file}: ALB health check on /heavy/health/, awslogs everywhere, stop timeout covers the drain`, () => {
      assert.equal(template.Resources.TargetGroup.Properties.HealthCheckPath, '/heavy/health/');
      for (const c of task.ContainerDefinitions) assert.equal(c.LogConfiguration.LogDriver, 'awslogs', c.Name);
      assert.ok(server.StopTimeout * 1000 >= shutdownMs + 1000, `StopTimeout ${server.StopTimeout} s`);
      const delay = template.Resources.TargetGroup.Properties.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value;
      assert.ok(Number(delay) <= server.StopTimeout, 'targets must leave the ALB before the task is killed');
    });
  }

  it('says why Fargate is 1 vCPU / 2 GB', () => {
    assert.match(cfn('deploy/ecs/fargate.yaml').Description, /no 1 vCPU \/ 256 MB size/);
  });
});

describe('make push-ecr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'push-ecr-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // aws and docker stand-ins that only record being called: a dry run must call neither.
  const calls = join(dir, 'calls');
  for (const tool of ['aws', 'docker']) {
    writeFileSync(join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> "${calls}"\nexit 1\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  const run = (vars: Record<string, string>) =>
    spawnSync('bash', [join(ROOT, 'scripts/push-ecr.sh')], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env['PATH']}`, HOME: process.env['HOME'] ?? '/', ...vars },
    });

  it('prints login, build, tag and push for both images, and runs none of them', () => {
    const r = run({ DRY_RUN: '1', AWS_ACCOUNT_ID: '123456789012', AWS_REGION: 'eu-west-1', TAG: 'v1' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(calls), false, 'a dry run called aws or docker');
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(
      lines.filter((l) => l.startsWith('+ ')).map((l) => l.split(' ').slice(1, 4).join(' ')),
      [
        'aws ecr describe-repositories',
        'aws ecr describe-repositories',
        'aws ecr get-login-password',
        'docker build --platform',
        'docker build --platform',
        'docker tag backend-bottleneck-lab:v1',
        `docker push ${registry}/backend-bottleneck-lab:v1`,
        'docker tag backend-bottleneck-lab-statsd-exporter:v1',
        `docker push ${registry}/backend-bottleneck-lab-statsd-exporter:v1`,
      ],
    );
    assert.ok(lines.includes(`+ aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${registry}`));
    assert.ok(lines.includes(`+ docker tag backend-bottleneck-lab:v1 ${registry}/backend-bottleneck-lab:v1`));
    assert.ok(lines.includes(`ImageUri=${registry}/backend-bottleneck-lab:v1`));
    assert.ok(lines.includes(`ExporterImageUri=${registry}/backend-bottleneck-lab-statsd-exporter:v1`));
  });

  for (const [vars, message] of [
    [{ AWS_REGION: 'mars' }, /AWS_REGION 'mars' is not a region name/],
    [{ TAG: 'a b' }, /TAG 'a b' is not a valid image tag/],
    [{ PLATFORM: 'windows/amd64' }, /PLATFORM must be linux\/amd64 or linux\/arm64/],
    [{ AWS_ACCOUNT_ID: '42' }, /AWS_ACCOUNT_ID must be 12 digits/],
  ] as const) {
    it(`refuses ${JSON.stringify(vars)} with one clear line, before any command`, () => {
      const r = run({ DRY_RUN: '1', ...vars });
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(calls), false);
    });
  }
});
