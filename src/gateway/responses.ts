/**
 * The OpenAI Responses API (`POST /v1/responses`) as pure translations to and from Chat Completions, so a
 * Responses call runs through `gateway.chat` — the same inspection, policy, pseudonymization and restore —
 * and works with every backend, none of which needs to speak the Responses protocol itself.
 *
 * The outbound chat request is built from the fields known here, never copied: a field this file does not
 * translate does not reach any model. Stateful features (previous_response_id, background, conversation,
 * hosted tools) need storage Yumen does not keep for responses and answer a clear 400; `item_reference`s to
 * items of recent responses are resolved from a short-lived cache (response-items.ts).
 */
import { randomBytes } from 'node:crypto';
import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ChatRequest, ContentPart, ToolCall, Usage } from '../providers/index.ts';
import { yumenError } from '../util/errors.ts';

/** The part of a Responses request Yumen serves. Validated at the edge (server/schemas/responses.ts). */
export interface ResponsesRequest {
  model: string;
  input: string | ResponseInputItem[];
  instructions?: string | null;
  stream?: boolean | null;
  tools?: Array<{ type: string; name?: string; description?: string | null; parameters?: Record<string, unknown> | null; strict?: boolean | null }>;
  tool_choice?: string | { type: string; name?: string } | null;
  parallel_tool_calls?: boolean | null;
  text?: { format?: { type: string; name?: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string } } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  user?: string;
  metadata?: Record<string, string> | null;
  [extra: string]: unknown;
}

export type ResponseInputItem = Record<string, unknown> & { type?: string; role?: string };

/** Fields with no meaning without server-side state or hosted tools: refused rather than silently ignored. */
const STATEFUL = ['previous_response_id', 'conversation', 'background', 'prompt'] as const;

function invalid(message: string, param: string) {
  return yumenError('invalid_request', message, { param });
}

function str(v: unknown, param: string): string {
  if (typeof v !== 'string') throw invalid(`${param} must be a string.`, param);
  return v;
}

/** Content of an input message: a string, or input_text / output_text / input_image / input_file parts. */
function contentOf(content: unknown, param: string): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or an array of content parts.`, param);
  return content.map((part: Record<string, unknown>, i): ContentPart => {
    const p = `${param}[${i}]`;
    if (part === null || typeof part !== 'object') throw invalid(`${p} must be an object.`, p);
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        return { type: 'text', text: str(part.text, `${p}.text`) };
      case 'input_image': {
        const url = part.image_url;
        if (typeof url !== 'string') throw invalid(`${p}.image_url must be a URL string (file_id images are not supported).`, `${p}.image_url`);
        return { type: 'image_url', image_url: { url, ...(typeof part.detail === 'string' ? { detail: part.detail } : {}) } };
      }
      case 'input_file': {
        // Inline files only: the gateway reads and guards what it is given, and a file_id names bytes it never sees.
        if (typeof part.file_data !== 'string') throw invalid(`${p}.file_data must be a data: URL or base64 (file_id files are not supported).`, `${p}.file_data`);
        const filename = typeof part.filename === 'string' && part.filename.length > 0 ? part.filename : 'attachment';
        return { type: 'file', file: { filename, file_data: part.file_data } };
      }
      default:
        throw invalid(`${p}.type "${String(part.type)}" is not supported (input_text, output_text, input_image and input_file are).`, `${p}.type`);
    }
  });
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/** Input items → chat messages; consecutive function calls join the assistant turn before them. */
function messagesOf(input: ResponsesRequest['input'], instructions: string | null | undefined): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (typeof instructions === 'string' && instructions.length > 0) messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: input });
    return messages;
  }
  input.forEach((item, i) => {
    const p = `input[${i}]`;
    if (item === null || typeof item !== 'object') throw invalid(`${p} must be an object.`, p);
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = item.role;
      if (typeof role !== 'string' || !ROLES.has(role)) throw invalid(`${p}.role must be one of system, developer, user, assistant.`, `${p}.role`);
      messages.push({ role: role as ChatMessage['role'], content: contentOf(item.content, `${p}.content`) });
    } else if (type === 'function_call') {
      const call: ToolCall = {
        id: str(item.call_id, `${p}.call_id`), type: 'function',
        function: { name: str(item.name, `${p}.name`), arguments: str(item.arguments, `${p}.arguments`) },
      };
      const last = messages.at(-1);
      if (last?.role === 'assistant') {
        (last.tool_calls ??= []).push(call);
      } else {
        messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      }
    } else if (type === 'function_call_output') {
      const output = item.output;
      const content = typeof output === 'string' ? output : contentOf(output, `${p}.output`);
      messages.push({ role: 'tool', tool_call_id: str(item.call_id, `${p}.call_id`), content });
    } else if (type === 'reasoning') {
      // Reasoning items a client replays carry the model's own summary: nothing a chat backend takes.
    } else {
      throw invalid(`${p}.type "${String(type)}" is not supported (message, function_call, function_call_output are).`, `${p}.type`);
    }
  });
  if (messages.length === 0) throw invalid('input must hold at least one message.', 'input');
  return messages;
}

function toolsOf(tools: ResponsesRequest['tools']): ChatRequest['tools'] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((t, i) => {
    if (t.type !== 'function') throw invalid(`tools[${i}].type "${t.type}" is not supported: only function tools (hosted tools run at OpenAI).`, `tools[${i}].type`);
    const fn: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean } = { name: str(t.name, `tools[${i}].name`) };
    if (typeof t.description === 'string') fn.description = t.description;
    if (t.parameters && typeof t.parameters === 'object') fn.parameters = t.parameters;
    if (typeof t.strict === 'boolean') fn.strict = t.strict;
    return { type: 'function' as const, function: fn };
  });
}

function toolChoiceOf(choice: ResponsesRequest['tool_choice']): unknown {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === 'string') {
    if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
    throw invalid(`tool_choice "${choice}" is not supported.`, 'tool_choice');
  }
  if (choice.type === 'function' && typeof choice.name === 'string') return { type: 'function', function: { name: choice.name } };
  throw invalid('tool_choice must be auto, none, required or {"type":"function","name":…}.', 'tool_choice');
}

function responseFormatOf(text: ResponsesRequest['text']): ChatRequest['response_format'] | undefined {
  const f = text?.format;
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type === 'json_schema') {
    if (!f.schema || typeof f.schema !== 'object') throw invalid('text.format.schema is required for json_schema.', 'text.format.schema');
    const js: NonNullable<ChatRequest['response_format']>['json_schema'] & { description?: string } = { name: f.name ?? 'response', schema: f.schema };
    if (typeof f.strict === 'boolean') js.strict = f.strict;
    if (typeof f.description === 'string') js.description = f.description;
    return { type: 'json_schema', json_schema: js };
  }
  throw invalid(`text.format.type "${f.type}" is not supported.`, 'text.format.type');
}

/**
 * The request with every `item_reference` in its input replaced by the item it names (`lookup`); a reference
 * that cannot be resolved is a 400 naming it.
 */
export function resolveItemReferences(req: ResponsesRequest, lookup: (id: string) => ResponseInputItem | undefined): ResponsesRequest {
  if (typeof req.input === 'string' || !req.input.some((item) => item?.type === 'item_reference')) return req;
  const input = req.input.map((item, i) => {
    if (item?.type !== 'item_reference') return item;
    const found = typeof item.id === 'string' ? lookup(item.id) : undefined;
    if (!found) {
      throw invalid(`input[${i}]: item "${String(item.id)}" is unknown or expired (Yumen keeps output items of recent responses for 10 minutes, per key and node); send the item itself.`, `input[${i}].id`);
    }
    return found;
  });
  return { ...req, input };
}

/** A Responses request as the chat request that carries it. Throws invalid_request for what cannot be served. */
export function responsesToChat(req: ResponsesRequest): ChatRequest {
  for (const f of STATEFUL) {
    if (req[f] !== undefined && req[f] !== null && req[f] !== false) {
      throw invalid(`${f} is not supported: Yumen keeps no response state; send the whole conversation as input.`, f);
    }
  }
  const chat: ChatRequest = { model: req.model, messages: messagesOf(req.input, req.instructions) };
  const tools = toolsOf(req.tools);
  if (tools) chat.tools = tools;
  const choice = toolChoiceOf(req.tool_choice);
  if (choice !== undefined) chat.tool_choice = choice;
  if (typeof req.parallel_tool_calls === 'boolean' && tools) chat.parallel_tool_calls = req.parallel_tool_calls;
  const format = responseFormatOf(req.text);
  if (format) chat.response_format = format;
  if (typeof req.max_output_tokens === 'number') chat.max_tokens = req.max_output_tokens;
  if (typeof req.temperature === 'number') chat.temperature = req.temperature;
  if (typeof req.top_p === 'number') chat.top_p = req.top_p;
  if (typeof req.user === 'string') chat.user = req.user;
  if (req.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

// ---- Replies --------------------------------------------------------------------------------------------

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type OutputItem =
  | { type: 'message'; id: string; status: 'in_progress' | 'completed'; role: 'assistant'; content: Array<{ type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }> }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'in_progress' | 'completed' };

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete';
  model: string;
  output: OutputItem[];
  output_text?: string;
  usage: ResponseUsage | null;
  error: null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  metadata: Record<string, string>;
  tools: unknown[];
  tool_choice: unknown;
  text: unknown;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  previous_response_id: null;
  store: false;
  truncation: 'disabled';
  user?: string;
  [extra: string]: unknown;
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

function usageOf(u: Usage | null | undefined): ResponseUsage | null {
  if (!u) return null;
  return {
    input_tokens: u.prompt_tokens, input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.completion_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.total_tokens,
  };
}

function incompleteOf(finish: string | null | undefined): ResponseObject['incomplete_details'] {
  if (finish === 'length') return { reason: 'max_output_tokens' };
  if (finish === 'content_filter') return { reason: 'content_filter' };
  return null;
}

/** The response envelope: what the request asked for, echoed as OpenAI does. */
function envelope(req: ResponsesRequest, id: string, created: number, model: string): ResponseObject {
  return {
    id, object: 'response', created_at: created, status: 'in_progress', model, output: [], usage: null, error: null,
    incomplete_details: null, instructions: req.instructions ?? null, metadata: req.metadata ?? {}, tools: req.tools ?? [],
    tool_choice: req.tool_choice ?? 'auto', text: req.text ?? { format: { type: 'text' } }, temperature: req.temperature ?? null,
    top_p: req.top_p ?? null, max_output_tokens: req.max_output_tokens ?? null, parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: null, store: false, truncation: 'disabled', ...(typeof req.user === 'string' ? { user: req.user } : {}),
  };
}

function messageItem(text: string, status: 'in_progress' | 'completed', id = newId('msg')): OutputItem {
  return { type: 'message', id, status, role: 'assistant', content: status === 'completed' ? [{ type: 'output_text', text, annotations: [], logprobs: [] }] : [] };
}

/** A finished (and already restored) chat completion as a Response. `yumen` extras (citations) ride along. */
export function chatToResponse(req: ResponsesRequest, completion: ChatCompletion): ResponseObject {
  const res = envelope(req, newId('resp'), completion.created, completion.model);
  const choice = completion.choices[0];
  const content = choice?.message.content;
  if (typeof content === 'string' && content.length > 0) res.output.push(messageItem(content, 'completed'));
  for (const call of choice?.message.tool_calls ?? []) {
    res.output.push({ type: 'function_call', id: newId('fc'), call_id: call.id, name: call.function.name, arguments: call.function.arguments, status: 'completed' });
  }
  res.output_text = typeof content === 'string' ? content : '';
  res.usage = usageOf(completion.usage);
  res.incomplete_details = incompleteOf(choice?.finish_reason);
  res.status = res.incomplete_details ? 'incomplete' : 'completed';
  if (completion.yumen) res.yumen = completion.yumen;
  return res;
}

// ---- Streams --------------------------------------------------------------------------------------------

/** One server-sent event of a Responses stream: `event: <type>` and its JSON. */
export interface ResponseEvent { type: string; sequence_number: number; [k: string]: unknown }

interface OpenCall { outputIndex: number; item: Extract<OutputItem, { type: 'function_call' }> }

/**
 * Chat chunks (already restored by the gateway) → Responses stream events, as a state machine fed one chunk
 * at a time: `push(chunk)` returns the events it completes, `end()` the closing ones. Only choice 0 is read
 * (the Responses API has no `n`).
 */
export class ResponsesStream {
  readonly #response: ResponseObject;
  #seq = 0;
  #text: { outputIndex: number; id: string; text: string } | null = null;
  readonly #calls = new Map<number, OpenCall>();
  #finish: string | null = null;
  #started = false;

  constructor(req: ResponsesRequest) {
    this.#response = envelope(req, newId('resp'), Math.floor(Date.now() / 1000), req.model);
  }

  #event(type: string, body: Record<string, unknown>): ResponseEvent {
    return { type, sequence_number: this.#seq++, ...body };
  }

  #snapshot(): ResponseObject {
    return structuredClone(this.#response);
  }

  /** The opening events; sent before the first chunk so a client sees the response start. */
  start(): ResponseEvent[] {
    if (this.#started) return [];
    this.#started = true;
    return [this.#event('response.created', { response: this.#snapshot() }), this.#event('response.in_progress', { response: this.#snapshot() })];
  }

  push(chunk: ChatCompletionChunk): ResponseEvent[] {
    const out = this.start();
    if (chunk.model) this.#response.model = chunk.model;
    if (chunk.usage) this.#response.usage = usageOf(chunk.usage);
    if (chunk.yumen) this.#response.yumen = chunk.yumen;
    const choice = chunk.choices?.find((c) => c.index === 0);
    if (!choice) return out;
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      if (this.#text === null) {
        const id = newId('msg');
        this.#text = { outputIndex: this.#response.output.length, id, text: '' };
        const item = messageItem('', 'in_progress', id);
        this.#response.output.push(item);
        out.push(this.#event('response.output_item.added', { output_index: this.#text.outputIndex, item: structuredClone(item) }));
        out.push(this.#event('response.content_part.added', { item_id: id, output_index: this.#text.outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }));
      }
      this.#text.text += delta.content;
      out.push(this.#event('response.output_text.delta', { item_id: this.#text.id, output_index: this.#text.outputIndex, content_index: 0, delta: delta.content, logprobs: [] }));
    }
    for (const tc of delta.tool_calls ?? []) {
      let call = this.#calls.get(tc.index);
      if (!call) {
        const item = { type: 'function_call' as const, id: newId('fc'), call_id: tc.id ?? newId('call'), name: tc.function?.name ?? '', arguments: '', status: 'in_progress' as const };
        call = { outputIndex: this.#response.output.length, item };
        this.#calls.set(tc.index, call);
        this.#response.output.push(item);
        out.push(this.#event('response.output_item.added', { output_index: call.outputIndex, item: structuredClone(item) }));
      } else if (tc.function?.name) {
        call.item.name += tc.function.name;
      }
      const args = tc.function?.arguments;
      if (args) {
        call.item.arguments += args;
        out.push(this.#event('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.outputIndex, delta: args }));
      }
    }
    if (choice.finish_reason) this.#finish = choice.finish_reason;
    return out;
  }

  /** Closing events: every open item done, then response.completed (or .incomplete at a length stop). */
  end(): ResponseEvent[] {
    const out = this.start();
    if (this.#text) {
      const { outputIndex, id, text } = this.#text;
      const part = { type: 'output_text', text, annotations: [], logprobs: [] };
      out.push(this.#event('response.output_text.done', { item_id: id, output_index: outputIndex, content_index: 0, text, logprobs: [] }));
      out.push(this.#event('response.content_part.done', { item_id: id, output_index: outputIndex, content_index: 0, part }));
      const item = messageItem(text, 'completed', id);
      this.#response.output[outputIndex] = item;
      out.push(this.#event('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) }));
    }
    for (const call of this.#calls.values()) {
      call.item.status = 'completed';
      out.push(this.#event('response.function_call_arguments.done', { item_id: call.item.id, output_index: call.outputIndex, name: call.item.name, arguments: call.item.arguments }));
      out.push(this.#event('response.output_item.done', { output_index: call.outputIndex, item: structuredClone(call.item) }));
    }
    this.#response.incomplete_details = incompleteOf(this.#finish);
    this.#response.status = this.#response.incomplete_details ? 'incomplete' : 'completed';
    this.#response.output_text = this.#text?.text ?? '';
    out.push(this.#event(this.#response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: this.#snapshot() }));
    return out;
  }

  /** The event for a failure after the stream started (OpenAI sends `error`). */
  error(body: { error: { message: string; code: string; type: string; param: string | null } }): ResponseEvent {
    return this.#event('error', { code: body.error.code, message: body.error.message, param: body.error.param });
  }
}
