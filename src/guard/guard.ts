import type { Finding, FindingType, Guard, GuardOptions, Level, RawFinding, ScanResult } from './types.ts';
import { TextCache } from './text-cache.ts';
import { FINDING_TYPES } from './types.ts';
import { DEFAULT_LEVELS, isLevel, levelRank, LOW_CONFIDENCE_SCORE, lowerLevel } from './levels.ts';
import { normalize, toOriginal } from './normalize.ts';
import { NAME_KEYWORDS } from './detectors/names.ts';
import { ADDRESS_STARTS } from './detectors/address.ts';
import { createTokenizer } from './tokens.ts';
import { DETECTORS, PRIORITY } from './detectors/table.ts';
import type { Detect, ScanContext } from './detectors/table.ts';
import { findBlobs, INFLATE_RATIO, nestedRatio } from './blobs.ts';
import { compilePublicTerms } from './public-terms.ts';

// Read once: under tsx an imported binding is a getter, and this one is read in the sort comparator.
const PRIO = PRIORITY;

function byStartThenLongest(a: RawFinding, b: RawFinding): number {
  return a.start - b.start || b.end - a.end;
}

function byPreference(a: RawFinding, b: RawFinding): number {
  return PRIO[b.type] - PRIO[a.type] || (b.end - b.start) - (a.end - a.start) || b.score - a.score;
}

/** Keep a non-overlapping set of findings (source_code excepted), preferring priority, then length. */
export function resolveOverlaps(found: RawFinding[]): RawFinding[] {
  let containers: RawFinding[] | null = null;
  const rest: RawFinding[] = [];
  for (const f of found) {
    if (f.type === 'source_code') (containers ??= []).push(f);
    else rest.push(f);
  }
  rest.sort(byStartThenLongest);
  const kept: RawFinding[] = [];
  // kept stays in (start, longest first) order unless a cluster or a container is added.
  let sorted = true;
  let i = 0;
  while (i < rest.length) {
    // Gather a cluster of chained overlaps.
    let j = i + 1;
    let end = rest[i].end;
    while (j < rest.length && rest[j].start < end) end = Math.max(end, rest[j++].end);
    if (j === i + 1) kept.push(rest[i]);
    else {
      const cluster = rest.slice(i, j).sort(byPreference);
      const chosen: RawFinding[] = [];
      for (const f of cluster) if (!chosen.some((c) => f.start < c.end && f.end > c.start)) chosen.push(f);
      for (const f of chosen) kept.push(f);
      sorted = false;
    }
    i = j;
  }
  if (containers !== null) {
    for (const c of containers) kept.push(c);
    sorted = false;
  }
  return sorted ? kept : kept.sort(byStartThenLongest);
}

/**
 * Blobs inside blobs are read down to this depth (base64 in base64 in base64 …); what they decode is bounded by the
 * allowance they share with the outermost one (blobs.ts), so depth adds no work a flat text could not cause. The bound
 * is for the stack: each level of gzip-then-base64 costs an attacker only some 30 characters, so a 1 MB text could nest
 * thousands deep. Until the evening of 2026-12-07 it was 4, and a phone number in base64 five times over went out.
 */
const MAX_BLOB_DEPTH = 32;

/** Every tag character (U+E0000–U+E007F) is written with this high surrogate. */
const TAG_HIGH_SURROGATE = '\udb40';

/** Texts up to this length that scanned clean are remembered (at most CLEAN_SHORT_ENTRIES of them per guard). */
const CLEAN_SHORT_MAX_LENGTH = 32;
const CLEAN_SHORT_ENTRIES = 4096;

/** Compile detectors once and return a scanner. */
export function createGuard(options: GuardOptions = {}): Guard {
  const levels: Record<FindingType, Level> = { ...DEFAULT_LEVELS };
  for (const [type, level] of Object.entries(options.levels ?? {})) {
    if (!(FINDING_TYPES as readonly string[]).includes(type)) throw new TypeError(`unknown finding type: ${type}`);
    if (!isLevel(level)) throw new TypeError(`invalid level for ${type}: ${String(level)}`);
    levels[type as FindingType] = level;
  }
  const ranks = {} as Record<FindingType, number>;
  for (const t of FINDING_TYPES) ranks[t] = levelRank(levels[t]);
  const disabled = new Set(options.disabled ?? []);
  const want = new Set(FINDING_TYPES.filter((t) => !disabled.has(t)));
  const detectors: Detect[] = [];
  for (const row of DETECTORS) {
    const d = row.create({ want, customTerms: options.customTerms, tagger: options.tagger !== false });
    if (d) detectors.push(d);
  }
  const isPublic = compilePublicTerms(options.publicTerms);
  const wantAddress = want.has('address');
  const wantName = want.has('person_name');
  const tokenize = createTokenizer(wantAddress ? ADDRESS_STARTS : null, wantName ? NAME_KEYWORDS : null);

  // A scan is a function of the text alone, so a text seen again is answered from memory. Short texts found
  // clean recur in every request (roles, model and tool names, enum values): they have a set of their own, and
  // short texts stay out of the cache of recent texts, so that a body with many of them cannot push the
  // conversation's messages out of it.
  const cleanShort = new Set<string>();
  const recent = new TextCache<ScanResult>(options.scanCacheEntries ?? 256);

  function scan(text: string): ScanResult {
    if (typeof text !== 'string' || text.length === 0) return { level: 'public', findings: [] };
    if (text.length <= CLEAN_SHORT_MAX_LENGTH) return cleanShort.has(text) ? { level: 'public', findings: [] } : detect(text);
    if (recent.fits(text)) {
      // Findings are frozen, so one result serves every caller; each gets an array of its own to add to or sort.
      const seen = recent.get(text) ?? recent.set(text, detect(text));
      return { level: seen.level, findings: seen.findings.slice() };
    }
    return detect(text);
  }

  /**
   * A blob of base64 or hex that decodes to text holding findings is one finding of the decoded text's gravest one: its
   * type, so that the blob is refused, routed or pseudonymized whole as that value would be.
   */
  function blobFindings(t: string, ctx: ScanContext, depth: number, ratio: number): boolean {
    const blobs = findBlobs(t, ctx.tokens.runs, ctx.tokens.runCount, ratio);
    for (const blob of blobs) {
      // A short text found clean before (the header of every JWT, {"alg":"HS256"}) is not read again.
      if (blob.text.length <= CLEAN_SHORT_MAX_LENGTH && cleanShort.has(blob.text)) continue;
      let gravest: Finding | null = null;
      for (const f of detect(blob.text, depth + 1, nestedRatio(blob, ratio)).findings) {
        if (f.type === 'source_code') continue;
        const rank = levelRank(f.level);
        if (gravest === null || rank > levelRank(gravest.level) || (rank === levelRank(gravest.level) && PRIO[f.type] > PRIO[gravest.type])) {
          gravest = f;
        }
      }
      if (gravest !== null) {
        ctx.out.push({ type: gravest.type, start: blob.start, end: blob.end, score: gravest.score, detector: `${blob.encoding}:${gravest.detector ?? gravest.type}` });
      }
    }
    return blobs.length > 0;
  }

  /**
   * `ratio`: the decoded bytes allowed per character of the text's blobs (blobs.ts). A text with tag characters is read
   * twice: as a model reads it, each tag as the ASCII it spells (a number smuggled in them), and as a person sees it,
   * without them (a number with a tag or two put between its digits); whatever either reading finds is reported.
   */
  function detect(text: string, depth = 0, ratio = INFLATE_RATIO): ScanResult {
    const read = detectView(text, depth, ratio, 'read');
    let { level, findings } = read;
    if (text.includes(TAG_HIGH_SURROGATE)) {
      const seen = detectView(text, depth, ratio, 'drop');
      const more = seen.findings.filter((f) => !findings.some((g) => g.start < f.end && f.start < g.end));
      if (more.length > 0) {
        findings = [...findings, ...more].sort((a, b) => a.start - b.start || b.end - a.end);
        if (levelRank(seen.level) > levelRank(level)) level = seen.level;
      }
    }
    // Clean as read at this depth: a short text with blobs read less deeply than at the top is not remembered as clean.
    if (findings.length === 0 && text.length <= CLEAN_SHORT_MAX_LENGTH && (depth === 0 || !read.nested)) {
      if (cleanShort.size >= CLEAN_SHORT_ENTRIES) cleanShort.clear();
      cleanShort.add(text);
    }
    return { level, findings };
  }

  function detectView(text: string, depth: number, ratio: number, tags: 'read' | 'drop'): ScanResult & { nested: boolean } {
    const norm = normalize(text, tags);
    const t = norm.text;
    const raw: RawFinding[] = [];
    // One pass for alphanumeric runs, keyword hits and secret-label starts (the runs buffer is reused by
    // the next scan, so everything that reads it runs before then).
    const ctx: ScanContext = { out: raw, tokens: tokenize(t), rulesFrom: -1 };
    for (const d of detectors) d(t, ctx);
    // Read after the detectors, before anything tokenizes again (the blobs' own scans do).
    // nested: the text holds blobs, or may (at the deepest level they are not looked for).
    const nested = depth < MAX_BLOB_DEPTH ? blobFindings(t, ctx, depth, ratio) : true;
    const findings: Finding[] = [];
    let level: Level = 'public';
    let rank = 0;
    const map = norm.map;
    // Detectors only report the types they were asked for; the filter is a safety net for the others. A public term
    // leaves before overlaps are resolved, so that what it overlapped (an address holding it) may stand.
    const reported = disabled.size === 0 && isPublic === null ? raw : raw.filter((f) => want.has(f.type) && !isPublic?.(t, f));
    for (const f of resolveOverlaps(reported)) {
      let start = f.start;
      let end = f.end;
      if (map !== null) [start, end] = toOriginal(map, start, end);
      const low = f.score < LOW_CONFIDENCE_SCORE;
      const l = low ? lowerLevel(levels[f.type]) : levels[f.type];
      const r = low ? levelRank(l) : ranks[f.type];
      if (r > rank) {
        rank = r;
        level = l;
      }
      const out: Finding = { type: f.type, start, end, level: l, score: f.score, detector: f.detector };
      if (f.label) out.label = f.label;
      findings.push(Object.freeze(out));
    }
    return { level, findings, nested };
  }
  return { scan };
}
