import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

type Labels = Record<string, string | number>;
/** How many histogram observations wait at most before they are handed to prom-client between scrapes. */
const MAX_PENDING_OBSERVATIONS = 4096;

/**
 * A counter for the request path. prom-client hashes the label object on every `inc`; here increments
 * gather in a Map keyed by the label values and reach the prom-client counter when it is collected
 * (on every scrape of /metrics), so what a scrape shows is unchanged.
 */
export class TallyCounter {
  readonly #names: readonly string[];
  readonly #pending = new Map<string, { labels: Labels; n: number }>();
  readonly metric: Counter<string>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
    this.#names = labelNames;
    this.metric = new Counter({ name, help, labelNames, registers: [registry], collect: () => this.flush() });
  }

  inc(labels: Labels, n = 1): void {
    const key = labelKey(this.#names, labels);
    const entry = this.#pending.get(key);
    if (entry) entry.n += n;
    else this.#pending.set(key, { labels: { ...labels }, n });
  }

  flush(): void {
    for (const entry of this.#pending.values()) {
      if (entry.n === 0) continue;
      this.metric.inc(entry.labels, entry.n);
      entry.n = 0;
    }
  }
}

/** The same for a histogram: observations wait in the Map until a scrape, or until a few thousand have gathered. */
export class TallyHistogram {
  readonly #names: readonly string[];
  readonly #pending = new Map<string, { labels: Labels; values: number[] }>();
  #count = 0;
  readonly metric: Histogram<string>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[], buckets: number[]) {
    this.#names = labelNames;
    this.metric = new Histogram({ name, help, labelNames, buckets, registers: [registry], collect: () => this.flush() });
  }

  observe(labels: Labels, value: number): void {
    const key = labelKey(this.#names, labels);
    const entry = this.#pending.get(key);
    if (entry) entry.values.push(value);
    else this.#pending.set(key, { labels: { ...labels }, values: [value] });
    if (++this.#count >= MAX_PENDING_OBSERVATIONS) this.flush();
  }

  flush(): void {
    for (const entry of this.#pending.values()) {
      for (const v of entry.values) this.metric.observe(entry.labels, v);
      entry.values.length = 0;
    }
    this.#count = 0;
  }
}

function labelKey(names: readonly string[], labels: Labels): string {
  let key = '';
  for (const name of names) key += `${labels[name]}\u0001`;
  return key;
}

/** Prometheus metrics of the gateway. Labels carry models, zones and kinds — never content. */
export function createGatewayMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'yumen_process_' });
  return {
    registry,
    requests: new TallyCounter(registry, 'yumen_requests_total', 'Requests by endpoint, model, zone and status', ['endpoint', 'model', 'zone', 'status']),
    latency: new TallyHistogram(registry, 'yumen_request_duration_seconds', 'Whole request latency', ['endpoint', 'model'], LATENCY_BUCKETS),
    upstreamLatency: new TallyHistogram(registry, 'yumen_upstream_duration_seconds', 'Time until the upstream answered (first byte for streams)', ['model', 'backend'], LATENCY_BUCKETS),
    tokens: new TallyCounter(registry, 'yumen_tokens_total', 'Tokens by model, zone and kind (prompt|completion)', ['model', 'zone', 'kind']),
    errors: new TallyCounter(registry, 'yumen_errors_total', 'Errors by code', ['code']),
    findings: new TallyCounter(registry, 'yumen_guard_findings_total', 'Guard findings by type and route', ['type', 'route']),
    decisions: new TallyCounter(registry, 'yumen_policy_decisions_total', 'Policy decisions by action, level and route', ['action', 'level', 'route']),
  };
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
