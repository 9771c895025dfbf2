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
    /** Placeholder → the value it replaced, so the store can keep a keyed digest (never the value) for linking feedback. */
    values?: ReadonlyMap<string, string>;
  }): void;
}

/**
 * A conversation as it may be kept: redacted exactly as it would be for an external model, so the
 * flywheel's datasets never hold what could not leave the domain. Where the external decision would
 * refuse or reroute, every finding is redacted. Request and reply are judged and pseudonymized together
 * as one body with one vault: what the reply adds counts too, and a value keeps its placeholder across both.
 */
export function redactForStorage(policy: Policy, guard: Guard, request: ChatRequest, inspection: Inspection, completion: string | null): { messages: unknown[]; completion: string | null; values?: Map<string, string> } {
  const replyAt = request.messages.length;
  const body = completion === null ? request : { ...request, messages: [...request.messages, { role: 'assistant' as const, content: completion }] };
  const combined = completion === null ? inspection : inspectBody(guard, body);
  const decision = decide(policy, { name: 'storage', zone: 'external' }, combined);
  const types: ReadonlySet<FindingType> = decision.action === 'pseudonymize' || decision.action === 'allow'
    ? new Set([...decision.pseudonymize, ...combined.findings.filter((f) => f.level === 'sensitive' || f.level === 'classified').map((f) => f.type)])
    : new Set(combined.findings.map((f) => f.type));
  if (!types.size) return { messages: request.messages, completion };
  const vault = new Vault();
  const redacted = pseudonymizeBody(body, combined, types, vault).body.messages;
  return { messages: redacted.slice(0, replyAt), completion: completion === null ? null : (redacted[replyAt].content as string), values: placeholderValues(redacted, vault) };
}

const STORED_PLACEHOLDER = /〔[A-Za-z\u4e00-\u9fa5]{1,12}_\d{1,6}〕/g;

/** Each placeholder the vault wrote into the stored text, with its value. */
function placeholderValues(messages: readonly unknown[], vault: Vault): Map<string, string> {
  const values = new Map<string, string>();
  for (const m of JSON.stringify(messages).matchAll(STORED_PLACEHOLDER)) {
    const value = vault.restore(m[0]);
    if (value !== m[0]) values.set(m[0], value);
  }
  return values;
}
