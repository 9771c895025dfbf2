import { PLACEHOLDER_LABELS, Vault, type FindingType, type Guard } from '../guard/index.ts';
import { valueDigest } from '../util/value-link.ts';

/** A placeholder exactly as the vault writes it: 〔手机号_1〕. Stored conversations hold only this form. */
const PLACEHOLDER = /〔([A-Za-z\u4e00-\u9fa5]{1,12})_(\d{1,6})〕/g;
const TYPE_OF_LABEL = new Map<string, FindingType>(Object.entries(PLACEHOLDER_LABELS).map(([type, label]) => [label, type as FindingType]));

/**
 * Feedback text (a correction, a comment) as it may be stored: every finding replaced by a placeholder.
 * A value equal to one behind a placeholder of the exchange (same keyed digest, same label) takes that
 * placeholder, so the correction speaks of the same person as the exchange; any other value gets a new
 * number, never one the exchange (`context`) already uses.
 */
export function redactFeedbackText(guard: Guard, text: string, context: string, link?: { key: Buffer; links: Readonly<Record<string, string>> }): string {
  const vault = new Vault();
  vault.pseudonymize(context, []); // reserves the exchange's placeholder numbers
  const byDigest = new Map<string, string>();
  for (const [placeholder, digest] of Object.entries(link?.links ?? {})) byDigest.set(digest, placeholder);
  const findings = guard.scan(text).findings.slice().sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  for (const f of findings) {
    if (f.start < pos) continue;
    const value = text.slice(f.start, f.end);
    const label = f.type === 'custom_term' && f.label ? f.label : PLACEHOLDER_LABELS[f.type];
    const linked = link ? byDigest.get(valueDigest(link.key, value)) : undefined;
    out += text.slice(pos, f.start) + (linked && linked.startsWith(`〔${label}_`) ? linked : vault.pseudonymize(value, [{ ...f, start: 0, end: value.length }]));
    pos = f.end;
  }
  return out + text.slice(pos);
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
