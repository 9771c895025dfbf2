import { randomUUID } from 'node:crypto';
import type { ModelConfig, ModelHandle, Zone } from '../providers/index.ts';

/**
 * The legacy form of `knowledge.rerank` ({ base_url, model, api_key?, timeout_ms?, zone? }): it becomes a model
 * of the registry named {@link LEGACY_RERANK_MODEL}, private unless it says otherwise.
 */
export interface RerankConfig { base_url: string; model: string; api_key?: string; timeout_ms?: number; zone?: Zone }

export const LEGACY_RERANK_MODEL = 'knowledge-rerank';

/** What a retrieval model may receive, decided by the gateway's policy for the model's zone (throws to refuse). */
export type TextScreen = (model: { name: string; zone: Zone }, texts: readonly string[]) => string[];

/** Scores each document for the query, in the order given. */
export type Reranker = (query: string, documents: readonly string[], screen?: TextScreen, signal?: AbortSignal) => Promise<number[]>;

/** The registry entry the legacy `knowledge.rerank: { base_url, model }` stands for. */
export function legacyRerankModel(cfg: RerankConfig): ModelConfig {
  return {
    name: LEGACY_RERANK_MODEL, provider: 'openai-compatible', base_url: cfg.base_url, model: cfg.model, zone: cfg.zone ?? 'private', type: 'rerank',
    ...(cfg.api_key ? { api_key: cfg.api_key } : {}),
    ...(cfg.timeout_ms ? { timeouts: { first_byte_ms: cfg.timeout_ms, total_ms: cfg.timeout_ms } } : {}),
  };
}

/** A reranker over a configured rerank model, called through the provider seam like any other model. */
export function modelReranker(registry: { get(name: string): ModelHandle | undefined }, name: string): Reranker {
  return async (query, documents, screen, signal) => {
    const h = registry.get(name);
    if (!h) throw new Error(`knowledge.rerank: no configured model named "${name}"`);
    const [q, ...docs] = screen ? screen({ name: h.name, zone: h.zone }, [query, ...documents]) : [query, ...documents];
    const ctx = { signal: signal ?? new AbortController().signal, requestId: `kb-${randomUUID()}` };
    const { response } = await h.rerank({ model: name, query: q, documents: docs, top_n: docs.length }, ctx);
    const scores = new Array<number>(documents.length).fill(-Infinity);
    for (const r of response.results) if (r.index >= 0 && r.index < documents.length) scores[r.index] = r.relevance_score;
    return scores;
  };
}
