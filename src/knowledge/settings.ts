import type { ModelConfig } from '../providers/index.ts';
import { LEGACY_RERANK_MODEL, legacyRerankModel, type RerankConfig } from './rerank.ts';
import { isMapping } from '../util/mapping.ts';
import { DEFAULT_MAX_POSTINGS } from '../store/index.ts';
import { DEFAULT_FUSION, type FusionSettings } from './retrieval.ts';

/** `knowledge:` in yumen.yaml. */
export interface KnowledgeSettings {
  /** A configured model serving embeddings; absent = full-text only. */
  embeddingModel: string | null;
  allowExternalEmbeddings: boolean;
  chunkMaxChars: number;
  chunkOverlapChars: number;
  /** OCR scanned PDFs and images with tesseract.js (when installed); otherwise they get status no_text_layer. */
  ocr: boolean;
  /** A configured model of `type: rerank` (the legacy `{ base_url, model }` form names an implied one). */
  rerankModel: string | null;
  /** Candidates taken from each retriever before fusion. */
  candidates: number;
  /**
   * Postings a full-text search reads at most: past it, the commonest query terms are left out (rarest first; the
   * rarest is always read). Bounds a search's cost on a very large base (src/store/repositories/kb-bm25.ts).
   */
  maxPostings: number;
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Re-score the full-text candidates by phrase coverage and proximity (src/knowledge/rescore.ts). */
  rescore: boolean;
  /** How full-text and vector rankings are fused when an embedding model is configured. */
  fusion: FusionSettings;
}

export const DEFAULT_KNOWLEDGE_SETTINGS: KnowledgeSettings = {
  embeddingModel: null, allowExternalEmbeddings: false, chunkMaxChars: 500, chunkOverlapChars: 80, ocr: false, rerankModel: null, candidates: 50, maxPostings: DEFAULT_MAX_POSTINGS, maxFileBytes: 200 * 1024 * 1024, rescore: true,
  fusion: DEFAULT_FUSION,
};


/** Problems with `knowledge:`, as "knowledge.key: message" strings (a ConfigValidator). */
export function validateKnowledgeConfig(config: { knowledge?: Record<string, unknown>; models?: Array<{ name: string }> }): string[] {
  const k = config.knowledge;
  if (k === undefined) return [];
  if (!isMapping(k)) return ['knowledge: expected a mapping'];
  const problems: string[] = [];
  const known = new Set(['embedding_model', 'allow_external_embeddings', 'chunk_max_chars', 'chunk_overlap_chars', 'ocr', 'rerank', 'candidates', 'max_postings', 'max_file_bytes', 'rescore', 'fusion']);
  for (const key of Object.keys(k)) if (!known.has(key)) problems.push(`knowledge.${key}: unknown key`);
  if (k.embedding_model !== undefined) {
    if (typeof k.embedding_model !== 'string' || !k.embedding_model) problems.push('knowledge.embedding_model: expected a model name');
    else if (config.models && !config.models.some((m) => m.name === k.embedding_model)) problems.push(`knowledge.embedding_model: no model named "${k.embedding_model}" in models`);
  }
  for (const key of ['chunk_max_chars', 'chunk_overlap_chars', 'candidates', 'max_file_bytes']) {
    if (k[key] !== undefined && !(Number.isInteger(k[key]) && (k[key] as number) >= 0)) problems.push(`knowledge.${key}: expected a non-negative integer`);
  }
  for (const key of ['ocr', 'allow_external_embeddings', 'rescore']) if (k[key] !== undefined && typeof k[key] !== 'boolean') problems.push(`knowledge.${key}: expected true or false`);
  if (k.max_postings !== undefined && !(Number.isInteger(k.max_postings) && (k.max_postings as number) >= 1)) problems.push('knowledge.max_postings: expected a positive integer');
  if (k.rerank !== undefined) {
    if (typeof k.rerank === 'string') {
      if (config.models && !config.models.some((m) => m.name === k.rerank)) problems.push(`knowledge.rerank: no model named "${k.rerank}" in models`);
    } else if (!isMapping(k.rerank) || typeof k.rerank.base_url !== 'string' || typeof k.rerank.model !== 'string') {
      problems.push('knowledge.rerank: expected the name of a model of type rerank, or { base_url, model }');
    } else if (k.rerank.zone !== undefined && k.rerank.zone !== 'private' && k.rerank.zone !== 'external') {
      problems.push('knowledge.rerank.zone: one of "private" | "external"');
    }
  }
  if (k.fusion !== undefined) problems.push(...validateFusion(k.fusion));
  return problems;
}

function validateFusion(f: unknown): string[] {
  if (!isMapping(f)) return ['knowledge.fusion: expected a mapping { method, dense_weight, k }'];
  const problems: string[] = [];
  for (const key of Object.keys(f)) if (!['method', 'dense_weight', 'k'].includes(key)) problems.push(`knowledge.fusion.${key}: unknown key`);
  if (f.method !== undefined && f.method !== 'rrf' && f.method !== 'weighted') problems.push('knowledge.fusion.method: expected rrf or weighted');
  if (f.dense_weight !== undefined && !(typeof f.dense_weight === 'number' && f.dense_weight >= 0 && f.dense_weight <= 1)) problems.push('knowledge.fusion.dense_weight: expected a number from 0 to 1');
  if (f.k !== undefined && !(Number.isInteger(f.k) && (f.k as number) >= 1)) problems.push('knowledge.fusion.k: expected a positive integer');
  return problems;
}

export function knowledgeSettings(config: { knowledge?: Record<string, unknown> }): KnowledgeSettings {
  const k = (config.knowledge ?? {}) as Record<string, any>;
  const d = DEFAULT_KNOWLEDGE_SETTINGS;
  return {
    embeddingModel: k.embedding_model ?? d.embeddingModel,
    allowExternalEmbeddings: k.allow_external_embeddings ?? d.allowExternalEmbeddings,
    chunkMaxChars: k.chunk_max_chars ?? d.chunkMaxChars,
    chunkOverlapChars: k.chunk_overlap_chars ?? d.chunkOverlapChars,
    ocr: k.ocr ?? d.ocr,
    rerankModel: typeof k.rerank === 'string' ? k.rerank : isMapping(k.rerank) ? LEGACY_RERANK_MODEL : d.rerankModel,
    candidates: k.candidates ?? d.candidates,
    maxPostings: k.max_postings ?? d.maxPostings,
    maxFileBytes: k.max_file_bytes ?? d.maxFileBytes,
    rescore: k.rescore ?? d.rescore,
    fusion: { method: k.fusion?.method ?? d.fusion.method, denseWeight: k.fusion?.dense_weight ?? d.fusion.denseWeight, k: k.fusion?.k ?? d.fusion.k },
  };
}

/** Models that `knowledge:` implies (the legacy rerank form), to be added to the registry beside `models:`. */
export function impliedKnowledgeModels(config: { knowledge?: Record<string, unknown> }): ModelConfig[] {
  const rerank = config.knowledge?.rerank;
  return isMapping(rerank) && typeof rerank.base_url === 'string' ? [legacyRerankModel(rerank as unknown as RerankConfig)] : [];
}
