import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadValidatedConfig } from '../../src/cli/config-option.ts';
import { renderTemplate } from '../helpers/go-template.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CHART = join(ROOT, 'deploy/helm/yumen');

function merge(base: any, over: any): any {
  if (over === undefined) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Renders every template of the chart as `helm template` would (the supported subset) and parses the objects. */
function renderChart(overrides: Record<string, unknown> = {}): any[] {
  const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
  const values = merge(parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')), overrides);
  const ctx = { Values: values, Release: { Name: 'gov', Namespace: 'yumen' }, Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion } };
  const objects: any[] = [];
  for (const file of readdirSync(join(CHART, 'templates')).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = renderTemplate(readFileSync(join(CHART, 'templates', file), 'utf8'), ctx);
    for (const doc of parseAllDocuments(text)) {
      assert.deepEqual(doc.errors, [], `${file} renders to valid YAML`);
      const obj = doc.toJS();
      if (obj) objects.push(obj);
    }
  }
  return objects;
}

const masterKey = 'ab'.repeat(32);

describe('Helm chart deploy/helm/yumen', () => {
  test('renders a Deployment, Service, ConfigMap, Secret and PodDisruptionBudget with the sample values', () => {
    const objs = renderChart({ secrets: { masterKey }, replicaCount: 4 });
    const kinds = objs.map((o) => o.kind).sort();
    assert.deepEqual(kinds, ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service']);
    for (const o of objs) {
      assert.equal(typeof o.apiVersion, 'string');
      assert.ok(o.metadata.name.startsWith('gov'));
    }
    const dep = objs.find((o) => o.kind === 'Deployment');
    assert.equal(dep.spec.replicas, 4);
    assert.deepEqual(dep.spec.selector.matchLabels, dep.spec.template.metadata.labels);
    const svc = objs.find((o) => o.kind === 'Service');
    assert.deepEqual(svc.spec.selector, dep.spec.selector.matchLabels, 'the Service selects the pods');
    const c = dep.spec.template.spec.containers[0];
    assert.equal(c.image, 'registry.example.gov.cn/yumen/yumen:0.1.0');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.deepEqual(c.env.map((e: any) => e.name).sort(), ['YUMEN_DATABASE_URL', 'YUMEN_MASTER_KEY', 'YUMEN_REDIS_URL']);
    for (const e of c.env) assert.equal(e.valueFrom.secretKeyRef.name, 'gov-secrets');
    assert.equal(c.resources.requests.cpu, '1');
    const secret = objs.find((o) => o.kind === 'Secret');
    assert.equal(secret.stringData['master-key'], masterKey);
    assert.ok(objs.find((o) => o.kind === 'ConfigMap').metadata.name === dep.spec.template.spec.volumes[0].configMap.name);
  });

  test('a SIGTERM has time to drain: the grace period exceeds shutdown_grace_ms plus the preStop pause', () => {
    const dep = renderChart({ secrets: { masterKey } }).find((o) => o.kind === 'Deployment');
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
    const grace = dep.spec.template.spec.terminationGracePeriodSeconds;
    assert.ok(grace * 1000 > values.config.server.shutdown_grace_ms + values.preStopSleepSeconds * 1000);
    assert.equal(dep.spec.strategy.rollingUpdate.maxUnavailable, 0);
  });

  test('the ConfigMap holds a yumen.yaml that Yumen itself accepts', () => {
    const cm = renderChart({ secrets: { masterKey } }).find((o) => o.kind === 'ConfigMap');
    const dir = mkdtempSync(join(tmpdir(), 'yumen-chart-'));
    const saved = { db: process.env.YUMEN_DATABASE_URL, redis: process.env.YUMEN_REDIS_URL };
    try {
      const file = join(dir, 'yumen.yaml');
      writeFileSync(file, cm.data['yumen.yaml']);
      process.env.YUMEN_DATABASE_URL = 'postgres://yumen@db:5432/yumen';
      process.env.YUMEN_REDIS_URL = 'redis://redis:6379';
      const config = loadValidatedConfig(file);
      assert.equal(config.storage.url, 'postgres://yumen@db:5432/yumen');
      assert.equal(config.redis?.url, 'redis://redis:6379');
      assert.equal(config.server.host, '0.0.0.0');
    } finally {
      process.env.YUMEN_DATABASE_URL = saved.db;
      process.env.YUMEN_REDIS_URL = saved.redis;
      if (saved.db === undefined) delete process.env.YUMEN_DATABASE_URL;
      if (saved.redis === undefined) delete process.env.YUMEN_REDIS_URL;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with an existing Secret no Secret is rendered and the pods read that one; autoscaling replaces replicas', () => {
    const objs = renderChart({ existingSecret: 'vault-yumen', autoscaling: { enabled: true }, podDisruptionBudget: { enabled: false } });
    assert.deepEqual(objs.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Service']);
    const dep = objs.find((o) => o.kind === 'Deployment');
    assert.equal(dep.spec.replicas, undefined);
    for (const e of dep.spec.template.spec.containers[0].env) assert.equal(e.valueFrom.secretKeyRef.name, 'vault-yumen');
  });

  test('without a master key (and no existing Secret) rendering fails loudly', () => {
    assert.throws(() => renderChart(), /secrets\.masterKey is required/);
  });

  test('the renderer refuses template syntax outside its subset instead of guessing', () => {
    assert.throws(() => renderTemplate('{{ range .Values.x }}a{{ end }}', { Values: {}, Release: { Name: 'r' }, Chart: {} }), /outside the supported subset/);
    assert.throws(() => renderTemplate('{{ include "x" . }}', { Values: {}, Release: { Name: 'r' }, Chart: {} }), /outside the supported subset/);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(readFileSync(join(ROOT, 'deploy/compose.yaml'), 'utf8'), { merge: true });

  test('is valid YAML naming every service the deployment guide describes, and no other', () => {
    const services = Object.keys(compose.services).sort();
    const text = readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8');
    const sections = [...text.matchAll(/<!-- compose-services -->([\s\S]*?)<!-- \/compose-services -->/g)];
    assert.equal(sections.length, 2, 'docs/deployment.md lists the compose services in its Chinese and its English part');
    for (const section of sections) {
      const named = [...section[1].matchAll(/^\s*-\s*`([\w-]+)`/gm)].map((m) => m[1]).sort();
      assert.deepEqual(named, services, 'the guide and compose.yaml name the same services');
    }
  });

  test('three Yumen nodes share one configuration, PostgreSQL, Redis and master key; vLLM is optional', () => {
    const nodes = Object.entries<any>(compose.services).filter(([n]) => n.startsWith('yumen-'));
    assert.equal(nodes.length, 3);
    for (const [, s] of nodes) {
      assert.deepEqual(Object.keys(s.depends_on).sort(), ['postgres', 'redis']);
      assert.match(s.environment.YUMEN_DATABASE_URL, /@postgres:5432\//);
      assert.equal(s.environment.YUMEN_REDIS_URL, 'redis://redis:6379');
      assert.ok(s.environment.YUMEN_MASTER_KEY);
      assert.deepEqual(s.volumes, ['./yumen.cluster.yaml:/etc/yumen/yumen.yaml:ro']);
    }
    assert.deepEqual(compose.services.vllm.profiles, ['vllm']);
    const nginx = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
    for (const [name] of nodes) assert.match(nginx, new RegExp(`server ${name}:8080`));
  });

  test('the nodes\' yumen.yaml is one Yumen accepts', () => {
    const saved = { db: process.env.YUMEN_DATABASE_URL, redis: process.env.YUMEN_REDIS_URL };
    try {
      process.env.YUMEN_DATABASE_URL = 'postgres://yumen:x@postgres:5432/yumen';
      process.env.YUMEN_REDIS_URL = 'redis://redis:6379';
      const config = loadValidatedConfig(join(ROOT, 'deploy/yumen.cluster.yaml'));
      assert.equal(config.redis?.url, 'redis://redis:6379');
    } finally {
      process.env.YUMEN_DATABASE_URL = saved.db;
      process.env.YUMEN_REDIS_URL = saved.redis;
      if (saved.db === undefined) delete process.env.YUMEN_DATABASE_URL;
      if (saved.redis === undefined) delete process.env.YUMEN_REDIS_URL;
    }
  });
});
