import type { ChatCompletion, ChatRequest, Zone } from '../providers/index.ts';
import type { Principal } from '../governance/index.ts';
import type { RetrievalScreen } from './retrieval-screen.ts';

/**
 * What the gateway needs from governance and audit, described by shape so the pipeline does not
 * depend on how limits, caches or the audit trail are stored.
 */

export interface LimitRequest {
  principal: Principal;
  model: string;
  zone: Zone;
  /** Rough prompt + max completion tokens, for token-rate checks before the call. */
  estimatedTokens: number;
  signal: AbortSignal;
}

/** A granted call: release it exactly once with what was actually used. */
export interface Permit {
  release(outcome: { promptTokens: number; completionTokens: number; status: number }): void;
}

export interface Limiter {
  /** Resolves when the call may proceed (possibly after queueing); throws YumenError rate_limited / quota_exceeded. */
  acquire(request: LimitRequest): Promise<Permit>;
}

/** One audit record: who, what, where, how it was decided — never prompt text or sensitive values. */
export interface AuditEvent {
  requestId: string;
  time: number;
  actor: string | null;
  tenantId: string;
  action: string;
  model: string | null;
  zone: Zone | null;
  level: string;
  findings: Record<string, number>;
  decision: string;
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

export interface AuditSink {
  /** Durable when the promise resolves: the gateway awaits it before the response completes. */
  record(event: AuditEvent): Promise<void>;
}

export interface ResponseCache {
  get(principal: Principal, request: ChatRequest): Promise<ChatCompletion | undefined>;
  set(principal: Principal, request: ChatRequest, completion: ChatCompletion): Promise<void>;
}

/** A retrieved passage, numbered as it appears in the grounded prompt. */
export interface KnowledgeSource { n: number; document: string; page: number | null; chunk: number; text: string; kb: string }

/** Department knowledge bases, for chat requests that name `knowledge_bases`. */
export interface KnowledgePort {
  /** Throws YumenError not_found / forbidden when a named knowledge base is unknown or not readable. */
  retrieve(principal: Principal, kbNames: string[], query: string, opts: { screen: RetrievalScreen; signal?: AbortSignal }): Promise<KnowledgeSource[]>;
  /** The messages with the sources entered as numbered context. */
  ground(messages: readonly ChatRequest['messages'][number][], sources: readonly KnowledgeSource[]): ChatRequest['messages'];
  /** Which sources the answer cites ([n] markers). */
  cite(answer: string, sources: readonly KnowledgeSource[]): Array<Omit<KnowledgeSource, 'text'>>;
}

/** Business-scenario apps: `app:<slug>` becomes an ordinary request (model, prompt, knowledge) before the pipeline runs. */
export interface AppCatalog {
  /** Null for a chat that names no app; throws YumenError model_not_found / invalid_request. */
  resolveChat(principal: Principal, request: ChatRequest): Promise<{ principal: Principal; request: ChatRequest; app: string } | null>;
  modelsFor(principal: Principal): Promise<ReadonlyArray<{ id: string; model: string }>>;
}
