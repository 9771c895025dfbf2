import { createHash } from 'node:crypto';
import type { FindingType, Guard } from '../guard/index.ts';
import { contentText, type ChatMessage } from '../providers/index.ts';
import type { Exchange } from '../store/index.ts';
import { sanitizeForTraining } from './redact.ts';
import { createSynthesizer } from './synthetic.ts';

/** One training sample, format-neutral: a system prompt, earlier turns, the last question and the answer. */
export interface Sample {
  system: string;
  /** Earlier [user, assistant] turns. */
  history: Array<[string, string]>;
  instruction: string;
  output: string;
  /** The model's original answer when a correction replaced it: the rejected side of a preference pair. */
  rejected: string | null;
}

export type MinRating = -1 | 0 | 1;

export interface CurationStats {
  exchanges: number;
  kept: number;
  corrected: number;
  rejected: number;
  belowRating: number;
  duplicates: number;
  unsupported: number;
}

/**
 * An exchange's score: a correction makes it 1 (a person wrote the answer), else its rating, else 0.
 * An answer rated -1 without a correction is never a training target, whatever the threshold.
 */
function score(e: Exchange): number {
  if (e.correction) return 1;
  return e.rating ?? 0;
}

/**
 * Request messages + reply as a sample; null for what the formats cannot hold faithfully (tool calls, no
 * user turn). Consecutive messages of one role are joined; system and developer messages form the system prompt.
 */
export function toSample(messages: readonly unknown[], output: string): Omit<Sample, 'rejected'> | null {
  const system: string[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; text: string }> = [];
  for (const raw of messages) {
    const m = raw as ChatMessage;
    if (!m || typeof m !== 'object') return null;
    if (m.role === 'system' || m.role === 'developer') { system.push(contentText(m.content, '\n')); continue; }
    if ((m.role !== 'user' && m.role !== 'assistant') || (m.tool_calls && m.tool_calls.length)) return null;
    const text = contentText(m.content, '\n');
    const last = turns.at(-1);
    if (last && last.role === m.role) last.text += `\n\n${text}`;
    else turns.push({ role: m.role, text });
  }
  if (turns.length === 0 || turns.at(-1)!.role !== 'user' || turns[0].role !== 'user') return null;
  const history: Array<[string, string]> = [];
  for (let i = 0; i + 1 < turns.length - 1; i += 2) history.push([turns[i].text, turns[i + 1].text]);
  return { system: system.filter((s) => s.trim()).join('\n\n'), history, instruction: turns.at(-1)!.text, output };
}

function sanitizeSample(s: Sample, guard: Guard, seed: string): Sample {
  const synth = createSynthesizer(seed);
  const clean = (t: string) => sanitizeForTraining(t, guard, synth as (type: FindingType, key: string) => string | null);
  return {
    system: clean(s.system),
    history: s.history.map(([u, a]) => [clean(u), clean(a)]),
    instruction: clean(s.instruction),
    output: clean(s.output),
    rejected: s.rejected === null ? null : clean(s.rejected),
  };
}

/**
 * Curation, one exchange at a time: corrections replace the model's output (and yield a preference pair),
 * answers rated -1 without a correction are left out, exact duplicates appear once, and personal data is
 * replaced by consistent synthetic values (the seed is the sample's own hash, so duplicates stay equal).
 */
export function createCurator(opts: { guard: Guard; minRating: MinRating }) {
  const seen = new Set<string>();
  const stats: CurationStats = { exchanges: 0, kept: 0, corrected: 0, rejected: 0, belowRating: 0, duplicates: 0, unsupported: 0 };
  return {
    stats,
    add(e: Exchange): Sample | null {
      stats.exchanges++;
      if (e.rating === -1 && !e.correction) { stats.rejected++; return null; }
      if (score(e) < opts.minRating) { stats.belowRating++; return null; }
      const base = toSample(e.messages, e.correction ?? e.completion ?? '');
      if (!base || !base.output.trim()) { stats.unsupported++; return null; }
      const original = e.completion ?? '';
      const sample: Sample = { ...base, rejected: e.correction && original.trim() && original !== e.correction ? original : null };
      const key = createHash('sha256').update(JSON.stringify([sample.system, sample.history, sample.instruction, sample.output])).digest('hex');
      if (seen.has(key)) { stats.duplicates++; return null; }
      seen.add(key);
      stats.kept++;
      if (e.correction) stats.corrected++;
      return sanitizeSample(sample, opts.guard, key);
    },
  };
}
