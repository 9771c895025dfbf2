import { maxLevel, Vault, type FindingType, type Guard } from '../guard/index.ts';
import { decide, type Policy } from '../policy/index.ts';
import type { ChatRequest } from '../providers/index.ts';
import { inspectRequest, pseudonymizeRequest, type Inspection } from './inspect.ts';

/** Where kept conversations go (the data flywheel): off by default, per department. */
export interface ConversationSink {
  enabledFor(tenant: { tenantId: string; tenantName: string }): boolean;
  capture(conversation: {
    requestId: string; tenantId: string; tenantName: string; keyId: string | null; model: string; zone: string | null;
    messages: unknown[]; completion: string | null; app?: string | null;
  }): void;
}

/**
 * A conversation as it may be kept: redacted exactly as it would be for an external model, so the
 * flywheel's datasets never hold what could not leave the domain. Where the external decision would
 * refuse or reroute, every finding is redacted.
 */
export function redactForStorage(policy: Policy, guard: Guard, request: ChatRequest, inspection: Inspection, completion: string | null): { messages: unknown[]; completion: string | null } {
  // Request and reply are judged and pseudonymized together with one vault: what the reply adds counts
  // too, a value seen in the request keeps its placeholder in the reply, and is replaced there even where
  // the reply gives the detector no cue.
  const replyAt = request.messages.length;
  const reply = completion ? inspectRequest(guard, { model: '', messages: [{ role: 'assistant', content: completion }] }) : null;
  const combined: Inspection = reply
    ? { level: maxLevel(inspection.level, reply.level), findings: [...inspection.findings, ...reply.findings], counts: inspection.counts, slots: [...inspection.slots, ...reply.slots.map((s) => ({ ...s, message: replyAt }))] }
    : inspection;
  const decision = decide(policy, { name: 'storage', zone: 'external' }, combined);
  const types: ReadonlySet<FindingType> = decision.action === 'pseudonymize' || decision.action === 'allow'
    ? new Set([...decision.pseudonymize, ...combined.findings.filter((f) => f.level === 'sensitive' || f.level === 'classified').map((f) => f.type)])
    : new Set(combined.findings.map((f) => f.type));
  if (!types.size) return { messages: request.messages, completion };
  const messages = completion ? [...request.messages, { role: 'assistant' as const, content: completion }] : request.messages;
  const redacted = pseudonymizeRequest({ ...request, messages }, combined, types, new Vault()).request.messages;
  return { messages: redacted.slice(0, replyAt), completion: completion ? (redacted[replyAt].content as string) : completion };
}
