import type { Finding, FindingType, Guard, Level, Vault } from '../guard/index.ts';
import type { ChatMessage, ChatRequest } from '../providers/index.ts';

/** Where a piece of text sits in a chat request, so a pseudonymized copy can be written back. */
interface TextSlot {
  message: number;
  field: 'content' | 'part' | 'name' | 'arguments' | 'tool_name';
  index?: number;
  text: string;
  findings: Finding[];
}

export interface Inspection {
  level: Level;
  /** One entry per finding, for the policy decision and metrics (no values). */
  findings: Array<{ type: FindingType; level: Level }>;
  counts: Record<string, number>;
  slots: TextSlot[];
}

const RANK: Record<Level, number> = { public: 0, internal: 1, sensitive: 2, classified: 3 };

/**
 * Step 2 of the pipeline: every text part of the request goes through the guard — system, user,
 * assistant and tool messages, content-part arrays, `name` fields and tool-call arguments.
 */
export function inspectRequest(guard: Guard, request: ChatRequest): Inspection {
  const slots: TextSlot[] = [];
  const add = (message: number, field: TextSlot['field'], text: unknown, index?: number) => {
    if (typeof text !== 'string' || text.length === 0) return;
    slots.push({ message, field, index, text, findings: guard.scan(text).findings });
  };
  request.messages.forEach((m, i) => {
    if (typeof m.content === 'string') add(i, 'content', m.content);
    else if (Array.isArray(m.content)) m.content.forEach((p, j) => p.type === 'text' && add(i, 'part', (p as { text: string }).text, j));
    add(i, 'name', m.name);
    m.tool_calls?.forEach((c, j) => {
      add(i, 'arguments', c.function?.arguments, j);
      add(i, 'tool_name', c.function?.name, j);
    });
  });
  let level: Level = 'public';
  const findings: Inspection['findings'] = [];
  const counts: Record<string, number> = {};
  for (const s of slots) {
    for (const f of s.findings) {
      findings.push({ type: f.type, level: f.level });
      counts[f.type] = (counts[f.type] ?? 0) + 1;
      if (RANK[f.level] > RANK[level]) level = f.level;
    }
  }
  return { level, findings, counts, slots };
}

/**
 * Step 4: a copy of the request in which every finding of the chosen types is replaced by the vault's
 * placeholder. Only the messages that change are copied; the caller's request is never modified.
 */
export function pseudonymizeRequest(request: ChatRequest, inspection: Inspection, types: ReadonlySet<FindingType>, vault: Vault): { request: ChatRequest; redactions: number } {
  let redactions = 0;
  const messages: ChatMessage[] = request.messages.slice();
  const copied = new Set<number>();
  const own = (i: number): ChatMessage => {
    if (!copied.has(i)) {
      copied.add(i);
      const m = messages[i];
      messages[i] = { ...m, content: Array.isArray(m.content) ? m.content.slice() : m.content, tool_calls: m.tool_calls?.map((c) => ({ ...c, function: { ...c.function } })) };
      if (messages[i].tool_calls === undefined) delete messages[i].tool_calls;
    }
    return messages[i];
  };
  const known = knownValues(inspection, types);
  for (const slot of inspection.slots) {
    const chosen = withRepeats(slot, known, types);
    if (chosen.length === 0) continue;
    redactions += chosen.length;
    const replaced = slot.field === 'arguments' ? pseudonymizeJson(slot.text, chosen, vault) : vault.pseudonymize(slot.text, chosen);
    const m = own(slot.message);
    switch (slot.field) {
      case 'content': m.content = replaced; break;
      case 'part': (m.content as Array<Record<string, unknown>>)[slot.index!] = { ...(m.content as Array<Record<string, unknown>>)[slot.index!], text: replaced }; break;
      case 'name': m.name = replaced; break;
      case 'arguments': m.tool_calls![slot.index!].function.arguments = replaced; break;
      case 'tool_name': m.tool_calls![slot.index!].function.name = replaced; break;
    }
  }
  return { request: { ...request, messages }, redactions };
}

/** Values of the chosen types detected anywhere in the conversation, with the finding that found them. */
function knownValues(inspection: Inspection, types: ReadonlySet<FindingType>): Map<string, Finding> {
  const known = new Map<string, Finding>();
  for (const s of inspection.slots) {
    for (const f of s.findings) if (types.has(f.type) && f.end - f.start >= 2) known.set(s.text.slice(f.start, f.end), f);
  }
  return known;
}

/**
 * A value detected once is pseudonymized everywhere it recurs, even where the detector had no cue
 * (a name introduced as 联系人：张伟 and later written bare in the system prompt).
 */
function withRepeats(slot: TextSlot, known: Map<string, Finding>, types: ReadonlySet<FindingType>): Finding[] {
  const chosen = slot.findings.filter((f) => types.has(f.type));
  if (known.size === 0) return chosen;
  const extra: Finding[] = [];
  for (const [value, f] of known) {
    for (let at = slot.text.indexOf(value); at !== -1; at = slot.text.indexOf(value, at + value.length)) {
      const end = at + value.length;
      if (!chosen.some((c) => c.start < end && at < c.end) && !extra.some((c) => c.start < end && at < c.end)) extra.push({ ...f, start: at, end });
    }
  }
  return extra.length ? [...chosen, ...extra].sort((a, b) => a.start - b.start) : chosen;
}

/**
 * Tool-call arguments are JSON: placeholders must land inside string values without breaking the JSON.
 * Findings that cross a string boundary (rare) fall back to pseudonymizing the raw text.
 */
function pseudonymizeJson(text: string, findings: Finding[], vault: Vault): string {
  const replaced = vault.pseudonymize(text, findings);
  try {
    JSON.parse(text);
  } catch {
    return replaced;
  }
  try {
    JSON.parse(replaced);
    return replaced;
  } catch {
    return JSON.stringify(vault.pseudonymize(text, findings));
  }
}
