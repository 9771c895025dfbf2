import { createGuard, maxLevel } from '../../guard/index.ts';
import type { CustomTerm, Finding, FindingType, Guard, Level } from '../../guard/index.ts';

/** What a scan needs to build its guards: plain data, so that a worker thread can get it too. */
export interface ScanSetup {
  customTerms?: CustomTerm[];
  /** Strings that are no person's name or address here (public-terms.ts). */
  publicTerms?: string[];
  disabled: FindingType[];
  explain: boolean;
}

/**
 * The guards of one scan: the guard, and for --explain the rules alone (what the tagger dropped) and, with public
 * terms, the guard without them (what they lifted).
 */
export interface ScanGuards {
  guard: Guard;
  rules: Guard | null;
  unlisted: Guard | null;
  explain: boolean;
}

export function createScanGuards(setup: ScanSetup): ScanGuards {
  const { customTerms, publicTerms, disabled, explain } = setup;
  // The records of a file are new texts: a cache of recent results would only cost (≈ 4 % of a run, bench:scan-cli).
  const options = { customTerms, disabled, scanCacheEntries: 0 };
  return {
    guard: createGuard({ ...options, publicTerms }),
    rules: explain ? createGuard({ ...options, publicTerms, tagger: false }) : null,
    unlisted: explain && publicTerms?.length ? createGuard(options) : null,
    explain,
  };
}

/** Characters of input scanned (or sent to a worker) at a time, cut at a line end. */
const CHUNK_CHARS = 1 << 18;

export interface JsonlChunk { id: number; text: string; firstLine: number }

/** The input cut into runs of whole lines, each with the number (0-based) of the line it starts at. */
export function* jsonlChunks(input: string): Generator<JsonlChunk> {
  let id = 0;
  let line = 0;
  for (let at = 0; at < input.length;) {
    let end = input.indexOf('\n', Math.min(input.length, at + CHUNK_CHARS));
    end = end < 0 ? input.length : end + 1;
    const text = input.slice(at, end);
    yield { id: id++, text, firstLine: line };
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
    at = end;
  }
}

/** The output of a run of lines; `error` when a line was not a record (the output stops before it). */
export interface JsonlChunkResult {
  out: string;
  level: Level;
  error: string | null;
}

/**
 * Scans the JSONL lines of `text`, the first of which is line `firstLine` (0-based) of the input, into one
 * output line per record: `{"id","level","findings"}` (+ `"dropped"` with --explain).
 */
export function scanJsonlChunk(s: ScanGuards, text: string, firstLine: number): JsonlChunkResult {
  let out = '';
  let level: Level = 'public';
  let n = firstLine;
  for (let at = 0; at < text.length; n++) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl).trim();
    at = nl + 1;
    if (!line) continue;
    let record: { id?: unknown; text?: unknown };
    try {
      record = JSON.parse(line) as { id?: unknown; text?: unknown };
    } catch {
      return { out, level, error: `line ${n + 1}: not valid JSON` };
    }
    if (!record || typeof record !== 'object' || typeof record.text !== 'string') {
      return { out, level, error: `line ${n + 1}: expected {"id":…,"text":"…"}` };
    }
    const r = s.guard.scan(record.text);
    level = maxLevel(level, r.level);
    const why = s.explain ? `,"dropped":${droppedJson(dropped(s, record.text, r.findings))}` : '';
    out += `{"id":${JSON.stringify(record.id ?? null)},"level":"${r.level}","findings":${findingsJson(r.findings, s.explain)}${why}}\n`;
  }
  return { out, level, error: null };
}

/** The stable finding shape, written by hand (JSON.stringify of an object per finding costs more). */
function briefJson(f: Finding, explain: boolean): string {
  const tail = explain ? `,"by":"${f.detector === 'ner' ? 'model' : 'rule'}","detector":${JSON.stringify(f.detector)}` : '';
  return `{"type":"${f.type}","start":${f.start},"end":${f.end},"level":"${f.level}","score":${f.score}${tail}}`;
}

export function findingsJson(findings: readonly Finding[], explain: boolean): string {
  let s = '[';
  for (let i = 0; i < findings.length; i++) s += (i ? ',' : '') + briefJson(findings[i], explain);
  return `${s}]`;
}

/** A name or address find not reported, and why: a public term lifted it, or the tagger did not agree (or a stronger find took the place). */
export interface DroppedFinding { finding: Finding; why: 'public_term' | 'tagger' }

/** For --explain: the name and address finds of the rules alone, and of the guard without public terms, not reported. */
export function dropped(s: ScanGuards, text: string, kept: readonly Finding[]): DroppedFinding[] {
  const missing = (g: Guard | null): Finding[] => (g === null ? [] : g.scan(text).findings.filter((f) =>
    (f.type === 'person_name' || f.type === 'address') && !kept.some((k) => k.type === f.type && k.start === f.start && k.end === f.end)));
  const lifted = missing(s.unlisted);
  const out: DroppedFinding[] = lifted.map((finding) => ({ finding, why: 'public_term' }));
  for (const finding of missing(s.rules)) {
    if (!lifted.some((l) => l.start === finding.start && l.end === finding.end)) out.push({ finding, why: 'tagger' });
  }
  return out.sort((a, b) => a.finding.start - b.finding.start);
}

export function droppedJson(d: readonly DroppedFinding[]): string {
  return `[${d.map(({ finding: f, why }) => `{"type":"${f.type}","start":${f.start},"end":${f.end},"detector":${JSON.stringify(f.detector)},"score":${f.score},"why":"${why}"}`).join(',')}]`;
}
