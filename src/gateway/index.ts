export { Gateway, toClientError, newRequestId, type CallMeta, type ChatOutcome, type ModelInfo, type GatewayDeps } from './gateway.ts';
export { createGatewayMetrics, type GatewayMetrics } from './metrics.ts';
export { UsageWriter } from './usage-writer.ts';
export { TenantGuards, type TenantGuard, type PolicySource } from './tenant-guards.ts';
export { OutputGuard } from './output-guard.ts';
export { mayUseModel, type Principal } from '../governance/index.ts';
export type { Limiter, Permit, LimitRequest, AuditSink, AuditEvent, ResponseCache } from './ports.ts';
