/**
 * The embedded engine as a {@link Backend}: OpenAI chat/embeddings requests in, node-llama-cpp calls with
 * the model's own chat template, OpenAI replies and chunks out.
 */
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChatHistoryItem, LLamaChatGenerateResponseOptions, LlamaGrammar } from 'node-llama-cpp';
import type { ModelConfig } from '../../config/types.ts';
import type { Backend, BackendFactoryOptions, ProviderFactory } from '../backend.ts';
import { unsupported } from '../backend.ts';
import { UpstreamError } from '../types.ts';
import type {
  CallContext, ChatCompletion, ChatCompletionChunk, ChatMessage, ChatRequest, EmbeddingsRequest, EmbeddingsResponse, RerankResponse, Usage,
} from '../types.ts';
import { LlamaEngine, type ChatSlot } from './llama-engine.ts';
import { ChunkQueue } from './chunk-queue.ts';

/** Default when the request sets no max_tokens: random or looping models must still stop. */
export const DEFAULT_MAX_TOKENS = 1024;
export const DEFAULT_PARALLEL = 2;
/** llama-server's default sampling temperature, used when the request names none. */
const DEFAULT_TEMPERATURE = 0.8;

type Loaded = Awaited<ReturnType<LlamaEngine['load']>>;
interface GenResult { text: string; finishReason: string; usage: Usage }

export class LlamaCppBackend implements Backend {
  readonly label: string;
  readonly weight = 1;
  readonly engine: LlamaEngine;
  private readonly modelId: string;

  constructor(cfg: ModelConfig, cwd = process.cwd()) {
    const path = resolve(cwd, cfg.path as string);
    this.label = `llama-cpp:${basename(path)}`;
    this.modelId = cfg.model ?? cfg.name;
    this.engine = new LlamaEngine({
      path,
      label: this.label,
      threads: cfg.threads ?? availableParallelism(),
      parallel: cfg.parallel ?? DEFAULT_PARALLEL,
      contextSize: cfg.context_size,
      gpuLayers: cfg.gpu_layers,
      lora: cfg.lora?.map((a) => ({ path: resolve(cwd, a.path), scale: a.scale })),
    });
  }

  async chat(req: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
    const history = toHistory(req, this.label);
    const { slot, loaded } = await this.engine.acquire(ctx.signal);
    try {
      const choices: ChatCompletion['choices'] = [];
      const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
      // n choices are n generations in turn on the same slot, each with its own seed.
      for (let i = 0; i < choiceCount(req); i++) {
        const r = await this.generate(loaded, slot, nthChoice(req, i), history, ctx.signal, undefined);
        choices.push({ index: i, message: { role: 'assistant', content: r.text }, finish_reason: r.finishReason, logprobs: null });
        addUsage(usage, r.usage);
      }
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: this.modelId,
        choices,
        usage,
      };
    } finally {
      this.engine.release(slot, loaded);
    }
  }

  async chatStream(req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    const history = toHistory(req, this.label);
    const { slot, loaded } = await this.engine.acquire(ctx.signal);
    const stop = new AbortController();
    const onCtxAbort = (): void => stop.abort();
    ctx.signal.addEventListener('abort', onCtxAbort, { once: true });
    const queue = new ChunkQueue<ChatCompletionChunk>(() => stop.abort());
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = this.modelId;
    const chunk = (index: number, delta: ChatCompletionChunk['choices'][number]['delta'], finish: string | null): ChatCompletionChunk =>
      ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index, delta, finish_reason: finish }] });
    queue.push(chunk(0, { role: 'assistant', content: '' }, null));
    const generateAll = async (): Promise<Usage> => {
      const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
      for (let i = 0; i < choiceCount(req); i++) {
        if (i > 0) queue.push(chunk(i, { role: 'assistant', content: '' }, null));
        const onText = (text: string): void => { if (text.length > 0) queue.push(chunk(i, { content: text }, null)); };
        const r = await this.generate(loaded, slot, nthChoice(req, i), history, stop.signal, onText);
        queue.push(chunk(i, {}, r.finishReason));
        addUsage(usage, r.usage);
      }
      return usage;
    };
    generateAll().then((usage) => {
      if (req.stream_options?.include_usage === true) {
        queue.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
      }
      queue.end();
    }, (err: unknown) => {
      queue.end(ctx.signal.aborted ? new UpstreamError('aborted', 'request cancelled by the client', { backend: this.label, cause: err }) : err);
    }).finally(() => {
      ctx.signal.removeEventListener('abort', onCtxAbort);
      this.engine.release(slot, loaded);
    });
    return queue;
  }

  private async generate(loaded: Loaded, slot: ChatSlot, req: ChatRequest, history: ChatHistoryItem[], signal: AbortSignal, onText: ((t: string) => void) | undefined): Promise<GenResult> {
    let completionTokens = 0;
    const options: LLamaChatGenerateResponseOptions = {
      maxTokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
      temperature: req.temperature ?? DEFAULT_TEMPERATURE,
      signal,
      stopOnAbortSignal: true,
      onToken: (tokens) => { completionTokens += tokens.length; },
    };
    if (onText !== undefined) options.onTextChunk = onText;
    if (typeof req.top_p === 'number') options.topP = req.top_p;
    if (typeof req.seed === 'number') options.seed = req.seed;
    if (req.stop !== undefined && req.stop !== null) {
      const stops = (Array.isArray(req.stop) ? req.stop : [req.stop]).filter((s) => typeof s === 'string' && s.length > 0);
      if (stops.length > 0) options.customStopTriggers = stops;
    }
    const grammar = await this.grammarFor(loaded, req);
    if (grammar !== undefined) options.grammar = grammar;
    const promptTokens = loaded.wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(loaded.model.tokenizer).length;
    let res;
    try {
      res = await slot.chat.generateResponse(history, options);
    } catch (err) {
      if (signal.aborted) throw new UpstreamError('aborted', 'request cancelled', { backend: this.label, cause: err });
      throw new UpstreamError('server', `embedded model ${this.label} failed: ${(err as Error).message}`, { backend: this.label, cause: err });
    }
    const reason = res.metadata.stopReason;
    const finishReason = reason === 'maxTokens' ? 'length' : reason === 'functionCalls' ? 'tool_calls' : 'stop';
    return {
      text: res.response,
      finishReason,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }

  private async grammarFor(loaded: Loaded, req: ChatRequest): Promise<LlamaGrammar | undefined> {
    const rf = req.response_format;
    if (rf === undefined || rf === null || rf.type === 'text') return undefined;
    if (rf.type === 'json_object') return this.engine.grammarForJson(loaded);
    if (rf.type === 'json_schema') {
      const schema = rf.json_schema?.schema;
      if (schema === undefined || typeof schema !== 'object') {
        throw new UpstreamError('client', 'response_format.json_schema.schema is required', { backend: this.label, status: 400 });
      }
      try {
        return await this.engine.grammarForSchema(loaded, schema);
      } catch (err) {
        throw new UpstreamError('client', `response_format.json_schema: unsupported schema for the embedded engine: ${(err as Error).message}`, { backend: this.label, status: 400, cause: err });
      }
    }
    throw new UpstreamError('client', `response_format.type "${String(rf.type)}" is not supported`, { backend: this.label, status: 400 });
  }

  async embeddings(req: EmbeddingsRequest, ctx: CallContext): Promise<EmbeddingsResponse> {
    const raw = req.input;
    let inputs: Array<string | number[]>;
    if (typeof raw === 'string') inputs = [raw];
    else if (Array.isArray(raw) && raw.length > 0 && raw.every((x) => typeof x === 'number')) inputs = [raw as number[]];
    else if (Array.isArray(raw) && raw.every((x) => typeof x === 'string' || (Array.isArray(x) && x.every((n) => typeof n === 'number')))) inputs = raw as Array<string | number[]>;
    else throw new UpstreamError('client', 'input must be a string, an array of strings or token arrays', { backend: this.label, status: 400 });
    const { vectors, tokens } = await this.engine.embed(inputs, ctx.signal);
    const base64 = req.encoding_format === 'base64';
    return {
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding' as const,
        index,
        embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
      })),
      model: this.modelId,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }

  rerank(): Promise<RerankResponse> {
    return unsupported('rerank', 'the embedded engine');
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

/** OpenAI's `n`: how many choices to generate (1 to 16; the edge schema caps it). */
function choiceCount(req: ChatRequest): number {
  return typeof req.n === 'number' && Number.isInteger(req.n) && req.n > 1 ? Math.min(req.n, 16) : 1;
}

/** The request for choice i: the same, but a seeded request gets seed + i so choices differ reproducibly. */
function nthChoice(req: ChatRequest, i: number): ChatRequest {
  return i > 0 && typeof req.seed === 'number' ? { ...req, seed: req.seed + i } : req;
}

/** The prompt is read once per choice but billed once; completions add up. */
function addUsage(total: Usage, one: Usage): void {
  total.prompt_tokens = one.prompt_tokens;
  total.completion_tokens += one.completion_tokens;
  total.total_tokens = total.prompt_tokens + total.completion_tokens;
}

function textOf(m: ChatMessage, i: number, label: string): string {
  const c = m.content;
  if (c === undefined || c === null) return '';
  if (typeof c === 'string') return c;
  let out = '';
  for (const part of c) {
    if (part.type !== 'text') {
      throw new UpstreamError('client', `messages[${i}].content: part type "${part.type}" is not supported by the embedded engine (text only)`, { backend: label, status: 400 });
    }
    out += (part as { text: string }).text;
  }
  return out;
}

/** OpenAI messages → node-llama-cpp chat history, ending with the empty model turn to generate. */
export function toHistory(req: ChatRequest, label: string): ChatHistoryItem[] {
  if (Array.isArray(req.tools) && req.tools.length > 0 && req.tool_choice !== 'none') {
    throw new UpstreamError('client', 'tools are not supported by the embedded llama-cpp engine; serve the model with llama-server or vLLM (openai-compatible) for function calling', { backend: label, status: 400 });
  }
  if (!Array.isArray(req.messages) || req.messages.length === 0) {
    throw new UpstreamError('client', 'messages must be a non-empty array', { backend: label, status: 400 });
  }
  const history: ChatHistoryItem[] = [];
  req.messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        history.push({ type: 'system', text: textOf(m, i, label) });
        break;
      case 'user':
        history.push({ type: 'user', text: textOf(m, i, label) });
        break;
      case 'assistant':
        if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
          throw new UpstreamError('client', `messages[${i}]: tool calls are not supported by the embedded engine`, { backend: label, status: 400 });
        }
        history.push({ type: 'model', response: [textOf(m, i, label)] });
        break;
      default:
        throw new UpstreamError('client', `messages[${i}].role "${m.role}" is not supported by the embedded engine`, { backend: label, status: 400 });
    }
  });
  history.push({ type: 'model', response: [] });
  return history;
}

/** The embedded llama.cpp engine: chat, or embeddings with an embedding GGUF (`type: embeddings`). */
export const llamaCppProvider: ProviderFactory = {
  name: 'llama-cpp',
  capabilities: (m) => ({ chat: m.type !== 'embeddings', embeddings: true, rerank: false }),
  createBackends: createLlamaCppBackends,
  defaultRetries: 0,
};

export function createLlamaCppBackends(model: ModelConfig, _opts: BackendFactoryOptions): Backend[] {
  return [new LlamaCppBackend(model)];
}
