import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Prometheus metrics of the gateway. Labels carry models, zones and kinds — never content. */
export function createGatewayMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'yumen_process_' });
  return {
    registry,
    requests: new Counter({ name: 'yumen_requests_total', help: 'Requests by endpoint, model, zone and status', labelNames: ['endpoint', 'model', 'zone', 'status'], registers: [registry] }),
    latency: new Histogram({ name: 'yumen_request_duration_seconds', help: 'Whole request latency', labelNames: ['endpoint', 'model'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    upstreamLatency: new Histogram({ name: 'yumen_upstream_duration_seconds', help: 'Time until the upstream answered (first byte for streams)', labelNames: ['model', 'backend'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    tokens: new Counter({ name: 'yumen_tokens_total', help: 'Tokens by model, zone and kind (prompt|completion)', labelNames: ['model', 'zone', 'kind'], registers: [registry] }),
    errors: new Counter({ name: 'yumen_errors_total', help: 'Errors by code', labelNames: ['code'], registers: [registry] }),
    findings: new Counter({ name: 'yumen_guard_findings_total', help: 'Guard findings by type and route', labelNames: ['type', 'route'], registers: [registry] }),
    decisions: new Counter({ name: 'yumen_policy_decisions_total', help: 'Policy decisions by action, level and route', labelNames: ['action', 'level', 'route'], registers: [registry] }),
  };
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
