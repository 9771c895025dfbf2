import { randomUUID } from 'node:crypto';
import type { ModelHandle } from '../providers/index.ts';
import { decodeVector, normalize } from './retrieval.ts';
import type { TextScreen } from './rerank.ts';

/** Turns texts into unit vectors. */
export interface Embedder {
  readonly model: string;
  /** `screen`: what the model may receive of `texts` (a question at chat time); ingest passes none. */
  embed(texts: readonly string[], signal?: AbortSignal, screen?: TextScreen): Promise<Float32Array[]>;
}

/**
 * An embedder over a configured model (the embedded engine with an embedding GGUF, or any OpenAI-compatible
 * /embeddings such as bge-m3 on Xinference or vLLM). Knowledge text must not leave the domain: an external
 * model is refused unless `allowExternal` (knowledge.allow_external_embeddings) says otherwise.
 */
export function modelEmbedder(registry: { get(name: string): ModelHandle | undefined }, name: string, opts: { allowExternal?: boolean; batchSize?: number } = {}): Embedder {
  const batchSize = opts.batchSize ?? 32;
  const handle = () => {
    const h = registry.get(name);
    if (!h) throw new Error(`knowledge.embedding_model: no configured model named "${name}"`);
    if (h.zone === 'external' && !opts.allowExternal) throw new Error(`knowledge.embedding_model: "${name}" is an external model; knowledge text would leave the domain (set knowledge.allow_external_embeddings to allow it)`);
    return h;
  };
  return {
    model: name,
    async embed(texts, signal, screen) {
      const h = handle();
      if (screen) texts = screen({ name: h.name, zone: h.zone }, texts);
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize);
        const ctx = { signal: signal ?? new AbortController().signal, requestId: `kb-${randomUUID()}` };
        const { response } = await h.embeddings({ model: name, input: batch as string[] }, ctx);
        const data = [...response.data].sort((a, b) => a.index - b.index);
        if (data.length !== batch.length) throw new Error(`embedding model "${name}" returned ${data.length} vectors for ${batch.length} inputs`);
        for (const d of data) out.push(normalize(typeof d.embedding === 'string' ? decodeVector(d.embedding) : Float32Array.from(d.embedding)));
      }
      return out;
    },
  };
}
