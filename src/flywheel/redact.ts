import { PLACEHOLDER_LABELS, Vault, type FindingType, type Guard } from '../guard/index.ts';

/** A placeholder exactly as the vault writes it: 〔手机号_1〕. Stored conversations hold only this form. */
const PLACEHOLDER = /〔([A-Za-z\u4e00-\u9fa5]{1,12})_(\d{1,6})〕/g;
const TYPE_OF_LABEL = new Map<string, FindingType>(Object.entries(PLACEHOLDER_LABELS).map(([type, label]) => [label, type as FindingType]));

/**
 * Feedback text (a correction, a comment) as it may be stored: every finding replaced by a placeholder.
 * Placeholders already used in `context` (the stored exchange) are reserved, so a value of the correction
 * never takes a number that means something else in the exchange.
 */
export function redactFeedbackText(guard: Guard, text: string, context: string): string {
  const vault = new Vault();
  vault.pseudonymize(context, []); // reserves the exchange's placeholder numbers
  return vault.pseudonymize(text, guard.scan(text).findings);
}

interface Span { start: number; end: number; replacement: string }

/**
 * Text made fit for a training set: each placeholder and each value the guard still finds (a dictionary
 * term added since capture, say) becomes a synthetic value of the same type from `synth`, consistent within
 * the sample. What has no synthetic form stays a placeholder; a raw value of such a type becomes its label.
 */
export function sanitizeForTraining(text: string, guard: Guard, synth: (type: FindingType, key: string) => string | null): string {
  const spans: Span[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const type = TYPE_OF_LABEL.get(m[1]);
    const replacement = type ? synth(type, m[0]) : null;
    spans.push({ start: m.index, end: m.index + m[0].length, replacement: replacement ?? m[0] });
  }
  const placeholders = spans.slice();
  for (const f of guard.scan(text).findings) {
    if (placeholders.some((p) => p.start < f.end && f.start < p.end)) continue;
    const value = text.slice(f.start, f.end);
    const label = f.type === 'custom_term' && f.label ? f.label : PLACEHOLDER_LABELS[f.type];
    spans.push({ start: f.start, end: f.end, replacement: synth(f.type, `raw:${value}`) ?? `〔${label}〕` });
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  for (const s of spans) {
    if (s.start < pos) continue;
    out += text.slice(pos, s.start) + s.replacement;
    pos = s.end;
  }
  return out + text.slice(pos);
}
