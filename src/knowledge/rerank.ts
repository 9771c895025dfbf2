import { request } from 'undici';

/** An OpenAI-compatible /rerank endpoint (vLLM, Xinference, llama.cpp server): `{model, query, documents, top_n}`. */
export interface RerankConfig { base_url: string; model: string; api_key?: string; timeout_ms?: number }

export type Reranker = (query: string, documents: readonly string[]) => Promise<number[]>;

/** Returns a relevance score per document, in the order given. Must point at a model inside the domain. */
export function createReranker(cfg: RerankConfig): Reranker {
  const url = `${cfg.base_url.replace(/\/+$/, '')}/rerank`;
  return async (query, documents) => {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cfg.api_key ? { authorization: `Bearer ${cfg.api_key}` } : {}) },
      body: JSON.stringify({ model: cfg.model, query, documents, top_n: documents.length }),
      bodyTimeout: cfg.timeout_ms ?? 30_000,
      headersTimeout: cfg.timeout_ms ?? 30_000,
    });
    const body = (await res.body.json()) as { results?: Array<{ index: number; relevance_score?: number; score?: number }> };
    if (res.statusCode >= 400 || !Array.isArray(body.results)) throw new Error(`reranker answered HTTP ${res.statusCode}`);
    const scores = new Array<number>(documents.length).fill(-Infinity);
    for (const r of body.results) if (r.index >= 0 && r.index < documents.length) scores[r.index] = r.relevance_score ?? r.score ?? -Infinity;
    return scores;
  };
}
