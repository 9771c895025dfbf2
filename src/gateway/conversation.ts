import { Vault, type FindingType, type Guard } from '../guard/index.ts';
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
 * refuse or reroute, every finding is redacted. Reply and request share one vault, so a value keeps
 * its placeholder across both.
 */
export function redactForStorage(policy: Policy, guard: Guard, request: ChatRequest, inspection: Inspection, completion: string | null): { messages: unknown[]; completion: string | null } {
  const decision = decide(policy, { name: 'storage', zone: 'external' }, inspection);
  const types: ReadonlySet<FindingType> = decision.action === 'pseudonymize' || decision.action === 'allow'
    ? new Set([...decision.pseudonymize, ...inspection.findings.filter((f) => f.level === 'sensitive' || f.level === 'classified').map((f) => f.type)])
    : new Set(inspection.findings.map((f) => f.type));
  const vault = new Vault();
  const { request: redacted } = types.size ? pseudonymizeRequest(request, inspection, types, vault) : { request };
  let reply = completion;
  if (reply && types.size) {
    const replyInspection = inspectRequest(guard, { model: '', messages: [{ role: 'assistant', content: reply }] });
    reply = (pseudonymizeRequest({ model: '', messages: [{ role: 'assistant', content: reply }] }, replyInspection, types, vault).request.messages[0].content as string) ?? reply;
  }
  return { messages: redacted.messages, completion: reply };
}
