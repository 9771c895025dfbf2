/**
 * Legacy Completions (`POST /v1/completions`) as pure translations to and from Chat Completions: the prompt
 * becomes one user message, so the call runs through `gateway.chat` with the same inspection and restore.
 * The outbound chat request is built from the fields known here; token-id prompts cannot be inspected and
 * are refused, as are features a chat backend cannot give (logprobs, best_of, suffix).
 */
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../providers/index.ts';
import { yumenError } from '../util/errors.ts';

export interface CompletionsRequest {
  model: string;
  prompt: string | string[] | number[] | number[][];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  echo?: boolean | null;
  user?: string;
  [extra: string]: unknown;
}

export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; logprobs: null; finish_reason: string | null }>;
  usage?: ChatCompletion['usage'] | null;
  [extra: string]: unknown;
}

function invalid(message: string, param: string) {
  return yumenError('invalid_request', message, { param });
}

/** The one prompt of the request: a string, or an array holding exactly one string. */
export function promptOf(req: CompletionsRequest): string {
  const p = req.prompt;
  if (typeof p === 'string') return p;
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') return p[0];
  if (Array.isArray(p) && p.some((x) => typeof x !== 'string')) {
    throw invalid('prompt as token ids is not supported: Yumen must read the text to inspect it. Send the prompt as a string.', 'prompt');
  }
  throw invalid('prompt must be one string (send one request per prompt).', 'prompt');
}

export function completionsToChat(req: CompletionsRequest): ChatRequest {
  const content = promptOf(req);
  if (req.logprobs !== undefined && req.logprobs !== null) throw invalid('logprobs is not supported on /v1/completions.', 'logprobs');
  if (typeof req.best_of === 'number' && req.best_of > 1) throw invalid('best_of is not supported; use n.', 'best_of');
  if (typeof req.suffix === 'string' && req.suffix.length > 0) throw invalid('suffix (insertion) is not supported.', 'suffix');
  const chat: ChatRequest = { model: req.model, messages: [{ role: 'user', content }] };
  for (const f of ['max_tokens', 'temperature', 'top_p', 'n', 'seed', 'presence_penalty', 'frequency_penalty'] as const) {
    if (typeof req[f] === 'number') chat[f] = req[f];
  }
  if (typeof req.stop === 'string' || Array.isArray(req.stop)) chat.stop = req.stop;
  if (typeof req.user === 'string') chat.user = req.user;
  if (req.stream === true) {
    chat.stream = true;
    if (req.stream_options?.include_usage === true) chat.stream_options = { include_usage: true };
  }
  return chat;
}

export function chatToCompletion(req: CompletionsRequest, completion: ChatCompletion): TextCompletion {
  const echo = req.echo === true ? promptOf(req) : '';
  const out: TextCompletion = {
    id: completion.id.replace(/^chatcmpl-/, 'cmpl-'), object: 'text_completion', created: completion.created, model: completion.model,
    choices: completion.choices.map((c) => ({ index: c.index, text: echo + (c.message.content ?? ''), logprobs: null, finish_reason: c.finish_reason })),
  };
  if (completion.usage) out.usage = completion.usage;
  if (completion.yumen) out.yumen = completion.yumen;
  return out;
}

/** One chat chunk as a text_completion chunk; `echoed` holds the choice indexes whose prompt was sent. */
export function chunkToCompletion(req: CompletionsRequest, chunk: ChatCompletionChunk, echoed: Set<number>): TextCompletion {
  const echo = req.echo === true ? promptOf(req) : '';
  const out: TextCompletion = {
    id: chunk.id.replace(/^chatcmpl-/, 'cmpl-'), object: 'text_completion', created: chunk.created, model: chunk.model,
    choices: (chunk.choices ?? []).map((c) => {
      let text = typeof c.delta?.content === 'string' ? c.delta.content : '';
      if (echo && !echoed.has(c.index)) {
        echoed.add(c.index);
        text = echo + text;
      }
      return { index: c.index, text, logprobs: null, finish_reason: c.finish_reason };
    }),
  };
  if (chunk.usage) out.usage = chunk.usage;
  if (chunk.yumen) out.yumen = chunk.yumen;
  return out;
}
