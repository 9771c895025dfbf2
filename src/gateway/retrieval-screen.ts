import { Vault, type Guard } from '../guard/index.ts';
import { decide, type Policy } from '../policy/index.ts';
import type { Zone } from '../providers/index.ts';
import { inspectBody, pseudonymizeBody } from './inspect.ts';
import { blocked } from './refusal.ts';

/**
 * What a retrieval model (embedding, rerank) may receive: the texts as they may go to a model of its
 * zone — as is, pseudonymized, or not at all (throws the policy's refusal). Retrieval models are models
 * like any other: the policy that governs chat models governs them.
 */
export type RetrievalScreen = (model: { name: string; zone: Zone }, texts: readonly string[]) => string[];

export function retrievalScreen(policy: Policy, guard: Guard): RetrievalScreen {
  return (model, texts) => {
    const inspection = inspectBody(guard, texts);
    if (inspection.findings.length === 0) return texts.slice();
    const decision = decide(policy, model, inspection);
    if (decision.action === 'block') throw blocked(decision);
    if (decision.action === 'pseudonymize' && decision.pseudonymize.size > 0) {
      return pseudonymizeBody(texts.slice(), inspection, decision.pseudonymize, new Vault()).body;
    }
    return texts.slice();
  };
}
