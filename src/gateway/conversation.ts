import { Vault, type FindingType, type Guard } from '../guard/index.ts';
import { decide, type Policy } from '../policy/index.ts';
import type { ChatRequest } from '../providers/index.ts';
import { inspectBody, pseudonymizeBody, type Inspection } from './inspect.ts';

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
 * refuse or reroute, every finding is redacted. Request and reply are judged and pseudonymized together
 * as one body with one vault: what the reply adds counts too, and a value keeps its placeholder across both.
 */
export function redactForStorage(policy: Policy, guard: Guard, request: ChatRequest, inspection: Inspection, completion: string | null): { messages: unknown[]; completion: string | null } {
  const replyAt = request.messages.length;
  const body = completion === null ? request : { ...request, messages: [...request.messages, { role: 'assistant' as const, content: completion }] };
  const combined = completion === null ? inspection : inspectBody(guard, body);
  const decision = decide(policy, { name: 'storage', zone: 'external' }, combined);
  const types: ReadonlySet<FindingType> = decision.action === 'pseudonymize' || decision.action === 'allow'
    ? new Set([...decision.pseudonymize, ...combined.findings.filter((f) => f.level === 'sensitive' || f.level === 'classified').map((f) => f.type)])
    : new Set(combined.findings.map((f) => f.type));
  if (!types.size) return { messages: request.messages, completion };
  const redacted = pseudonymizeBody(body, combined, types, new Vault()).body.messages;
  return { messages: redacted.slice(0, replyAt), completion: completion === null ? null : (redacted[replyAt].content as string) };
}
