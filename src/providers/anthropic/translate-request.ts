/** OpenAI chat request → Anthropic Messages request. Pure. */
import { UpstreamError, contentText } from '../types.ts';
import type { ChatMessage, ChatRequest, ContentPart } from '../types.ts';

/** Anthropic requires max_tokens; used when the request names none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;
interface AMessage { role: 'user' | 'assistant'; content: Block[] }

function imageBlock(url: string): Block {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } };
  return { type: 'image', source: { type: 'url', url } };
}

function blocksOf(content: ChatMessage['content']): Block[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  const out: Block[] = [];
  for (const p of content as ContentPart[]) {
    if (p.type === 'text') out.push({ type: 'text', text: (p as { text: string }).text });
    else if (p.type === 'image_url') out.push(imageBlock((p as { image_url: { url: string } }).image_url.url));
    else throw new UpstreamError('client', `content part type "${p.type}" is not supported by Anthropic`, { status: 400 });
  }
  return out;
}

function parseArgs(s: string): unknown {
  try { return s ? JSON.parse(s) : {}; } catch { return { _raw: s }; }
}

function toolChoice(tc: unknown): Record<string, unknown> | undefined {
  if (tc === undefined || tc === null) return undefined;
  if (tc === 'auto') return { type: 'auto' };
  if (tc === 'required') return { type: 'any' };
  if (tc === 'none') return { type: 'none' };
  if (typeof tc === 'object' && (tc as { type?: unknown }).type === 'function') {
    return { type: 'tool', name: (tc as { function: { name: string } }).function.name };
  }
  return undefined;
}

function jsonInstruction(req: ChatRequest): string | undefined {
  const rf = req.response_format;
  if (!rf || rf.type === 'text') return undefined;
  if (rf.type === 'json_schema' && rf.json_schema?.schema) {
    return `Respond only with a single JSON value that validates against this JSON Schema, with no other text:\n${JSON.stringify(rf.json_schema.schema)}`;
  }
  return 'Respond only with a single valid JSON object, with no other text.';
}

export function toAnthropicRequest(req: ChatRequest, model: string, stream: boolean): Record<string, unknown> {
  const system: string[] = [];
  const messages: AMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]): void => {
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks); // Anthropic wants alternating roles
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(contentText(m.content));
        break;
      case 'user':
        push('user', blocksOf(m.content));
        break;
      case 'assistant': {
        const blocks = blocksOf(m.content);
        for (const tc of m.tool_calls ?? []) {
          blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseArgs(tc.function.arguments) });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
      case 'function':
        push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? m.name, content: contentText(m.content) }]);
        break;
      default:
        throw new UpstreamError('client', `message role "${String(m.role)}" is not supported by Anthropic`, { status: 400 });
    }
  }
  const instruction = jsonInstruction(req);
  if (instruction) system.push(instruction);
  const out: Record<string, unknown> = {
    model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length > 0) out.system = system.join('\n\n');
  if (typeof req.temperature === 'number') out.temperature = Math.min(1, req.temperature); // Anthropic's range is 0..1
  if (typeof req.top_p === 'number') out.top_p = req.top_p;
  if (req.stop !== undefined && req.stop !== null) out.stop_sequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (Array.isArray(req.tools) && req.tools.length > 0) {
    out.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
    const tc = toolChoice(req.tool_choice);
    if (tc) out.tool_choice = tc;
  }
  if (typeof req.user === 'string') out.metadata = { user_id: req.user };
  if (stream) out.stream = true;
  return out;
}
