import type { YumenConfig } from '../config/index.ts';
import type { ModelHandle } from '../providers/index.ts';
import type { Store } from '../store/index.ts';
import { modelEmbedder } from './embeddings.ts';
import { createOcr } from './ocr.ts';
import { createWorkerParser } from './ingest/worker-parser.ts';
import { modelReranker } from './rerank.ts';
import { createKnowledgeService, type KnowledgeService } from './service.ts';
import { knowledgeSettings } from './settings.ts';

/** The knowledge service as configured by `knowledge:` (embedding model through the model registry, reranker, OCR). */
export async function knowledgeFromConfig(config: YumenConfig, store: Store, registry: { get(name: string): ModelHandle | undefined }): Promise<KnowledgeService> {
  const settings = knowledgeSettings(config);
  return createKnowledgeService({
    store,
    settings,
    embedder: settings.embeddingModel ? modelEmbedder(registry, settings.embeddingModel, { allowExternal: settings.allowExternalEmbeddings }) : null,
    reranker: settings.rerankModel ? modelReranker(registry, settings.rerankModel) : null,
    ocr: settings.ocr ? await createOcr() : null,
    // A bomb must not take the server's memory: parse where a heap limit holds it.
    parser: createWorkerParser(),
  });
}
