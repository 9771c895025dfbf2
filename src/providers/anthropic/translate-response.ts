/** Anthropic replies → OpenAI completions and chunks. Pure: the stream translation is `(event, state) → chunks`. */
import { UpstreamError } from '../types.ts';
import type { ChatCompletion, ChatCompletionChunk, ToolCall, Usage } from '../types.ts';

const FINISH: Record<string, string> = {
  end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', pause_turn: 'stop', refusal: 'content_filter',
};

export function finishReason(stop: unknown): string {
  return typeof stop === 'string' ? FINISH[stop] ?? 'stop' : 'stop';
}

interface AUsage { input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number }

function usageOf(u: AUsage | undefined, outputTokens?: number): Usage {
  const prompt = (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0);
  const completion = outputTokens ?? u?.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** A whole Anthropic message → an OpenAI chat completion. */
export function fromAnthropicMessage(msg: Record<string, unknown>, created = Math.floor(Date.now() / 1000)): ChatCompletion {
  if (!Array.isArray(msg.content)) throw new UpstreamError('protocol', 'Anthropic reply without content', { body: msg });
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const b of msg.content as Array<Record<string, unknown>>) {
    if (b.type === 'text') text += String(b.text ?? '');
    else if (b.type === 'tool_use') toolCalls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } });
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: toolCalls.length > 0 && text === '' ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: String(msg.id ?? 'msg'),
    object: 'chat.completion',
    created,
    model: String(msg.model ?? ''),
    choices: [{ index: 0, message, finish_reason: finishReason(msg.stop_reason), logprobs: null }],
    usage: usageOf(msg.usage as AUsage | undefined),
  };
}

export interface AnthropicStreamState {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
  /** Anthropic content block index → OpenAI tool_calls index. */
  toolIndex: Map<number, number>;
  inputUsage: AUsage | undefined;
  outputTokens: number;
}

export function newStreamState(includeUsage: boolean, model = '', created = Math.floor(Date.now() / 1000)): AnthropicStreamState {
  return { id: 'msg', model, created, includeUsage, toolIndex: new Map(), inputUsage: undefined, outputTokens: 0 };
}

function chunk(s: AnthropicStreamState, delta: ChatCompletionChunk['choices'][number]['delta'], finish: string | null = null): ChatCompletionChunk {
  return { id: s.id, object: 'chat.completion.chunk', created: s.created, model: s.model, choices: [{ index: 0, delta, finish_reason: finish }] };
}

const NONE: ChatCompletionChunk[] = [];

/**
 * Translates one Anthropic stream event into zero or more OpenAI chunks, updating `state`.
 * Throws UpstreamError for `error` events (overloaded → rate_limited, else server).
 */
export function translateStreamEvent(ev: Record<string, unknown>, s: AnthropicStreamState): ChatCompletionChunk[] {
  switch (ev.type) {
    case 'message_start': {
      const m = (ev.message ?? {}) as Record<string, unknown>;
      if (typeof m.id === 'string') s.id = m.id;
      if (typeof m.model === 'string') s.model = m.model;
      s.inputUsage = m.usage as AUsage | undefined;
      s.outputTokens = s.inputUsage?.output_tokens ?? 0;
      return [chunk(s, { role: 'assistant', content: '' })];
    }
    case 'content_block_start': {
      const b = (ev.content_block ?? {}) as Record<string, unknown>;
      if (b.type === 'tool_use') {
        const index = s.toolIndex.size;
        s.toolIndex.set(Number(ev.index), index);
        return [chunk(s, { tool_calls: [{ index, id: String(b.id), type: 'function', function: { name: String(b.name), arguments: '' } }] })];
      }
      if (b.type === 'text' && typeof b.text === 'string' && b.text.length > 0) return [chunk(s, { content: b.text })];
      return NONE;
    }
    case 'content_block_delta': {
      const d = (ev.delta ?? {}) as Record<string, unknown>;
      if (d.type === 'text_delta') return [chunk(s, { content: String(d.text ?? '') })];
      if (d.type === 'input_json_delta') {
        const index = s.toolIndex.get(Number(ev.index));
        if (index === undefined) return NONE;
        return [chunk(s, { tool_calls: [{ index, function: { arguments: String(d.partial_json ?? '') } }] })];
      }
      return NONE; // thinking / signature deltas are not part of the OpenAI shape
    }
    case 'message_delta': {
      const d = (ev.delta ?? {}) as Record<string, unknown>;
      const u = ev.usage as AUsage | undefined;
      if (typeof u?.output_tokens === 'number') s.outputTokens = u.output_tokens;
      return [chunk(s, {}, finishReason(d.stop_reason))];
    }
    case 'message_stop':
      if (!s.includeUsage) return NONE;
      return [{ id: s.id, object: 'chat.completion.chunk', created: s.created, model: s.model, choices: [], usage: usageOf(s.inputUsage, s.outputTokens) }];
    case 'error': {
      const e = (ev.error ?? {}) as Record<string, unknown>;
      const kind = e.type === 'overloaded_error' || e.type === 'rate_limit_error' ? 'rate_limited' : 'server';
      throw new UpstreamError(kind, `Anthropic stream error: ${String(e.message ?? e.type ?? 'unknown')}`, { body: ev });
    }
    default:
      return NONE; // ping, content_block_stop, future events
  }
}
