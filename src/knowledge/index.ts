/**
 * Private knowledge: department knowledge bases with Chinese-aware hybrid retrieval and cited answers.
 *
 * @example
 * const kb = createKnowledgeService({ store });
 * await kb.createBase({ tenant: '财政局', name: 'policies' });
 * await kb.ingest(null, 'policies', { name: '办法.txt', bytes });
 * const hits = await kb.search(principal, ['policies'], '差旅费报销标准', { topK: 5 });
 */
import type { Principal } from '../governance/index.ts';
import type { KnowledgeService } from './service.ts';
import type { Source } from './types.ts';
import type { TextScreen } from './rerank.ts';

export { createKnowledgeService, type KnowledgeService, type KnowledgeServiceOptions, type KnowledgeBase, type IngestOutcome, type SearchOptions } from './service.ts';
export { authorizeKb, type KbCaller, type KbAccessInfo } from './authorize.ts';
export { groundMessages, extractCitations, buildSourcesBlock, groundingSystemPrompt, detectLang, type GroundingLang } from './grounding.ts';
export { chunkBlocks, splitSentences, type ChunkOptions } from './chunking.ts';
export { createSegmenter, type Segmenter, type TokenFields } from './segmentation.ts';
export { parseDocument, detectFormat, SUPPORTED_EXTENSIONS, type OcrFunction } from './ingest/index.ts';
export { decodeText } from './ingest/text.ts';
export { modelEmbedder, type Embedder } from './embeddings.ts';
export { modelReranker, legacyRerankModel, LEGACY_RERANK_MODEL, type Reranker, type RerankConfig, type TextScreen } from './rerank.ts';
export { reciprocalRankFusion, fuseRankings, DEFAULT_FUSION, type FusionSettings } from './retrieval.ts';
export { rescore, DEFAULT_RESCORE_WEIGHTS, type RescoreWeights, type RescoreQuery } from './rescore.ts';
export { validateKnowledgeConfig, knowledgeSettings, impliedKnowledgeModels, DEFAULT_KNOWLEDGE_SETTINGS, type KnowledgeSettings } from './settings.ts';
export { createOcr, type OcrEngine } from './ocr.ts';
export { createFileTextReader, type FileTextReader } from './file-text.ts';
export { startJobWorker, type JobWorker } from './jobs.ts';
export { knowledgeFromConfig } from './from-config.ts';
export type { Block, Chunk, Citation, DocumentFormat, DocumentStatus, KbAction, ParsedDocument, SearchResult, Source } from './types.ts';

/**
 * What the gateway calls for a chat request naming `knowledge_bases`: the numbered sources to ground on.
 * Throws not_found / forbidden (YumenError) for a base the caller may not read.
 */
export async function retrieveForChat(service: KnowledgeService, principal: Principal, kbNames: string[], query: string, opts: { topK?: number; screen?: TextScreen; signal?: AbortSignal } = {}): Promise<{ sources: Source[] }> {
  return service.retrieveForChat(principal, kbNames, query, opts);
}
export { createWorkerParser, type WorkerParser } from './ingest/worker-parser.ts';
export { DEFAULT_INGEST_LIMITS, IngestLimitError, type IngestLimits } from './ingest/limits.ts';
