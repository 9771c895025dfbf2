import type { Finding, FindingType, Guard, Level, Vault } from '../guard/index.ts';
import { AhoCorasick } from '../guard/aho-corasick.ts';
import { SpanSet } from '../guard/span-set.ts';
import { KEY_MARK, mapStrings } from './walk.ts';
import { UNREADABLE_ATTACHMENT } from '../policy/index.ts';
import { NO_ATTACHMENTS, type AttachmentScan } from './attachments.ts';
import { junctionWindow } from './junction.ts';

/** One string of the body that holds findings, by its JSON pointer. */
interface TextSlot {
  text: string;
  findings: Finding[];
  /** Pieces of values split across consecutive message texts (the rest of the value is in a neighbour). */
  pieces: Finding[] | null;
}

export interface Inspection {
  level: Level;
  /** One entry per finding, for the policy decision and metrics (no values); `opaque` inside an attachment. */
  findings: Array<{ type: FindingType; level: Level; opaque?: true }>;
  /** Attachments that could not be read (attachments.ts). */
  unreadAttachments?: number;
  counts: Record<string, number>;
  /** Strings with findings, by path; a path is only meaningful for the body that was inspected. */
  slots: Map<string, TextSlot>;
  /** The sensitive values found, whole (a split value joined): a reply may repeat these, but not invent others. */
  values: Set<string>;
}

const RANK: Record<Level, number> = { public: 0, internal: 1, sensitive: 2, classified: 3 };

/** `/messages/3/content` or `/messages/3/content/1/text`: the texts a conversation reads in order. */
const MESSAGE_TEXT = /^\/messages\/\d+\/content(?:\/\d+\/text)?$/;

/**
 * Step 2 of the pipeline: every string of the body goes through the guard — every field, known or not,
 * and every object key that is not API structure (JSON-schema property names, metadata keys). The texts
 * of consecutive messages and content parts are also scanned joined, so a value split across them (the
 * first half of a mobile number in one message, the rest in the next) is found too. `attached`: what the body's
 * attachments hold, read beforehand (attachments.ts).
 */
export function inspectBody(guard: Guard, body: unknown, attached: AttachmentScan = NO_ATTACHMENTS): Inspection {
  const slots = new Map<string, TextSlot>();
  let fragments: Array<{ path: string; text: string }> | null = null;
  let first: { path: string; text: string } | null = null;
  mapStrings(body, (text, path) => {
    const { findings } = guard.scan(text);
    if (findings.length) slots.set(path, { text, findings, pieces: null });
    if (MESSAGE_TEXT.test(path)) {
      if (first === null) first = { path, text };
      else (fragments ??= [first]).push({ path, text });
    }
    return text;
  });
  const findings: Inspection['findings'] = [];
  const values = new Set<string>();
  for (const s of slots.values()) {
    for (const f of s.findings) {
      findings.push({ type: f.type, level: f.level });
      values.add(s.text.slice(f.start, f.end));
    }
  }
  if (fragments) joinedFindings(guard, fragments, slots, findings, values);
  // What the attachments hold counts like the rest (attachments.ts), marked opaque for the policy.
  for (const f of attached.findings) findings.push(f);
  let level: Level = 'public';
  const counts: Record<string, number> = {};
  for (const f of findings) {
    counts[f.type] = (counts[f.type] ?? 0) + 1;
    if (RANK[f.level] > RANK[level]) level = f.level;
  }
  if (attached.unread > 0) counts[UNREADABLE_ATTACHMENT] = attached.unread;
  return { level, findings, counts, slots, values, unreadAttachments: attached.unread };
}

/**
 * Scans the message texts joined, around each junction between two texts (JUNCTION_REACH characters on
 * each side): a value split across texts, or a value whose cue sits in the neighbour, lies there. The rest
 * of each text was scanned on its own. Each junction's window is scanned by itself, so a long conversation
 * costs one window per junction instead of a scan of everything said so far, and on the next turn the earlier
 * windows are texts the guard has seen. A finding inside one text that its own scan missed joins that text's
 * findings; one that crosses texts counts once and leaves a piece in each text it touches, so each piece is
 * pseudonymized where it sits.
 */
function joinedFindings(guard: Guard, fragments: Array<{ path: string; text: string }>, slots: Map<string, TextSlot>, findings: Inspection['findings'], values: Set<string>): void {
  const starts: number[] = [];
  let joined = '';
  for (const f of fragments) {
    starts.push(joined.length);
    joined += f.text;
  }
  const slotOf = (i: number): TextSlot => {
    const { path, text } = fragments[i];
    let s = slots.get(path);
    if (!s) slots.set(path, s = { text, findings: [], pieces: null });
    return s;
  };
  // Neighbouring windows overlap where texts are short: a finding is taken once.
  const found = new Map<string, Finding>();
  for (let k = 1; k < fragments.length; k++) {
    const [from, to] = junctionWindow(joined, starts[k]);
    for (const w of guard.scan(joined.slice(from, to)).findings) {
      // A finding at a cut edge of the window may be part of a longer value or word: its own text's scan decides.
      if ((from > 0 && w.start === 0) || (to < joined.length && w.end === to - from)) continue;
      const f = { ...w, start: w.start + from, end: w.end + from };
      found.set(`${f.start}:${f.end}:${f.type}`, f);
    }
  }
  let i = 0;
  for (const f of [...found.values()].sort((a, b) => a.start - b.start)) {
    while (i + 1 < fragments.length && starts[i + 1] <= f.start) i++;
    const end = starts[i] + fragments[i].text.length;
    if (f.end <= end) {
      const local = { ...f, start: f.start - starts[i], end: f.end - starts[i] };
      const s = slots.get(fragments[i].path);
      if (s?.findings.some((g) => g.start < local.end && local.start < g.end)) continue;
      slotOf(i).findings.push(local);
      slotOf(i).findings.sort((a, b) => a.start - b.start);
    } else {
      for (let j = i; j < fragments.length && starts[j] < f.end; j++) {
        const a = Math.max(f.start, starts[j]) - starts[j];
        const b = Math.min(f.end, starts[j] + fragments[j].text.length) - starts[j];
        if (b > a) (slotOf(j).pieces ??= []).push({ ...f, start: a, end: b });
      }
    }
    findings.push({ type: f.type, level: f.level });
    values.add(joined.slice(f.start, f.end));
  }
}

/**
 * Step 5: a copy of `body` (the body that was inspected, or the part of it that is sent) in which every
 * finding of the chosen types is replaced by the vault's placeholder, through the same walk. A value
 * detected once is replaced wherever it recurs, even where the detector had no cue (a name introduced as
 * 联系人：张伟 and later written bare). The caller's body is never modified.
 */
export function pseudonymizeBody<T>(body: T, inspection: Inspection, types: ReadonlySet<FindingType>, vault: Vault): { body: T; redactions: number } {
  let redactions = 0;
  const known = knownValues(inspection, types);
  const out = mapStrings(body, (text, path) => {
    const slot = inspection.slots.get(path);
    const chosen = withRepeats(text, slot, known, types);
    if (chosen.length === 0) return text;
    redactions += chosen.length;
    return path.endsWith('/arguments') && !path.endsWith(KEY_MARK) ? pseudonymizeJson(text, chosen, vault) : vault.pseudonymize(text, chosen);
  });
  return { body: out, redactions };
}

/** Values of the chosen types detected anywhere in the body, with the finding that found them. */
interface KnownValues {
  readonly values: ReadonlyMap<string, Finding>;
  readonly list: readonly string[];
  /** One automaton for all of them when there are many; few are found with indexOf, which builds nothing. */
  readonly matcher: AhoCorasick | null;
}
const MANY_VALUES = 16;

function knownValues(inspection: Inspection, types: ReadonlySet<FindingType>): KnownValues {
  const values = new Map<string, Finding>();
  for (const s of inspection.slots.values()) {
    for (const f of s.findings) if (types.has(f.type) && f.end - f.start >= 2) values.set(s.text.slice(f.start, f.end), f);
  }
  const list = [...values.keys()];
  return { values, list, matcher: list.length > MANY_VALUES ? new AhoCorasick(list) : null };
}

/** Where the known values occur in text, as written (the automaton folds ASCII case; a value is replaced only as itself). */
function occurrences(text: string, known: KnownValues): Array<[number, number, Finding]> {
  const found: Array<[number, number, Finding]> = [];
  if (known.matcher !== null) {
    for (const m of known.matcher.findAll(text)) {
      const value = known.list[m.term];
      if (text.startsWith(value, m.start)) found.push([m.start, m.end, known.values.get(value)!]);
    }
    return found;
  }
  for (const [value, f] of known.values) {
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) found.push([at, at + value.length, f]);
  }
  return found;
}

/**
 * This text's findings of the chosen types, its junction pieces, and every other place where a value detected
 * anywhere in the body recurs (leftmost first, the longer of two at one place). Each step is a lookup or one pass:
 * a body of tens of thousands of values must not compare each with all the others.
 */
function withRepeats(text: string, slot: TextSlot | undefined, known: KnownValues, types: ReadonlySet<FindingType>): Finding[] {
  // The slot holds findings for this text only if it is the same text (a path of another body may differ).
  const own = slot && slot.text === text ? slot : undefined;
  let chosen = own ? own.findings.filter((f) => types.has(f.type)) : [];
  if (own?.pieces) {
    const found = new SpanSet(chosen);
    chosen = [...chosen, ...own.pieces.filter((f) => types.has(f.type) && !found.overlaps(f.start, f.end))];
  }
  if (known.list.length === 0) return chosen;
  let recurring = occurrences(text, known);
  if (recurring.length === 0) return chosen;
  if (chosen.length > 0) {
    const taken = new SpanSet(chosen);
    recurring = recurring.filter(([start, end]) => !taken.overlaps(start, end));
  }
  if (recurring.length === 0) return chosen;
  recurring.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const extra: Finding[] = [];
  let lastEnd = -1;
  for (const [start, end, f] of recurring) {
    if (start < lastEnd) continue;
    extra.push({ ...f, start, end });
    lastEnd = end;
  }
  return [...chosen, ...extra].sort((a, b) => a.start - b.start);
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
