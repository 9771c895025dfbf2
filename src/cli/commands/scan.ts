import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createGuard, isLevel, levelRank, LEVELS, maskValue, maxLevel } from '../../guard/index.ts';
import type { CustomTerm, Finding, FindingType, Guard, Level, ScanResult } from '../../guard/index.ts';
import { FINDING_TYPES } from '../../guard/index.ts';

export type ScanFormat = 'text' | 'json' | 'jsonl';

export interface ScanOptions {
  /** File path, or '-' / undefined for stdin. */
  file?: string;
  format?: string;
  failLevel?: string;
  /** Dictionary file: one term per line, optionally "term<TAB>label". */
  terms?: string;
  /** Comma-separated finding types not to detect. */
  disable?: string;
  /** Say for each finding which rule or model found it and with what score, and which rule finds were dropped. */
  explain?: boolean;
}

export interface ScanIo {
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  stdout(s: string): void;
  stderr(s: string): void;
}

const FORMATS: readonly ScanFormat[] = ['text', 'json', 'jsonl'];

class UsageError extends Error {}

function lineCol(text: string, offset: number): [number, number] {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return [line, offset - lineStart + 1];
}

/** The stable finding shape, written by hand (JSON.stringify of an object per finding costs more). */
function briefJson(f: Finding, explain: boolean): string {
  const tail = explain ? `,"by":"${f.detector === 'ner' ? 'model' : 'rule'}","detector":${JSON.stringify(f.detector)}` : '';
  return `{"type":"${f.type}","start":${f.start},"end":${f.end},"level":"${f.level}","score":${f.score}${tail}}`;
}

function findingsJson(findings: readonly Finding[], explain: boolean): string {
  let s = '[';
  for (let i = 0; i < findings.length; i++) s += (i ? ',' : '') + briefJson(findings[i], explain);
  return `${s}]`;
}

/**
 * For --explain: name and address finds of the rules alone that the combined guard does not report (the
 * tagger disagreed, or a stronger finding took the place).
 */
function dropped(rules: Guard, text: string, kept: readonly Finding[]): Finding[] {
  return rules.scan(text).findings.filter((f) => (f.type === 'person_name' || f.type === 'address') &&
    !kept.some((k) => k.type === f.type && k.start === f.start && k.end === f.end));
}

function droppedJson(d: readonly Finding[]): string {
  return `[${d.map((f) => `{"type":"${f.type}","start":${f.start},"end":${f.end},"detector":${JSON.stringify(f.detector)},"score":${f.score}}`).join(',')}]`;
}

/** Output collected into large writes: one write per record costs more than scanning it. */
class Output {
  #parts: string[] = [];
  #size = 0;
  constructor(private readonly write: (s: string) => void) {}
  push(s: string): void {
    this.#parts.push(s);
    this.#size += s.length;
    if (this.#size >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.#parts.length === 0) return;
    this.write(this.#parts.join(''));
    this.#parts = [];
    this.#size = 0;
  }
}

function parseTerms(text: string): CustomTerm[] {
  const terms: CustomTerm[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [term, label] = line.split('\t');
    terms.push(label ? { term: term.trim(), label: label.trim() } : { term: term.trim() });
  }
  return terms;
}

/**
 * `yumen scan`: scan a document (or JSONL records) and report findings. Returns the exit code: 0 below
 * the fail level (or when none is given), 1 when a finding reaches it, 2 on a usage or input error.
 */
export async function runScan(opts: ScanOptions, io: ScanIo): Promise<number> {
  const out = new Output(io.stdout);
  try {
    const format = (opts.format ?? 'text') as ScanFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${opts.format}"`);
    let failLevel: Level | null = null;
    if (opts.failLevel !== undefined) {
      if (!isLevel(opts.failLevel)) throw new UsageError(`--fail-level: expected one of ${LEVELS.join(', ')}, got "${opts.failLevel}"`);
      failLevel = opts.failLevel;
    }
    const disabled = (opts.disable ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const d of disabled) {
      if (!(FINDING_TYPES as readonly string[]).includes(d)) throw new UsageError(`--disable: unknown finding type "${d}"`);
    }
    const customTerms = opts.terms ? parseTerms(await io.readFile(opts.terms)) : undefined;
    const guard = createGuard({ customTerms, disabled: disabled as FindingType[] });
    const explain = opts.explain === true;
    const rules = explain ? createGuard({ customTerms, disabled: disabled as FindingType[], tagger: false }) : null;
    const input = !opts.file || opts.file === '-' ? await io.readStdin() : await io.readFile(opts.file);

    let overall: Level = 'public';
    if (format === 'jsonl') {
      let n = 0;
      for (let at = 0; at < input.length; n++) {
        let nl = input.indexOf('\n', at);
        if (nl < 0) nl = input.length;
        const line = input.slice(at, nl).trim();
        at = nl + 1;
        if (!line) continue;
        let record: { id?: unknown; text?: unknown };
        try {
          record = JSON.parse(line) as { id?: unknown; text?: unknown };
        } catch {
          throw new UsageError(`line ${n + 1}: not valid JSON`);
        }
        if (!record || typeof record !== 'object' || typeof record.text !== 'string') {
          throw new UsageError(`line ${n + 1}: expected {"id":…,"text":"…"}`);
        }
        const r = guard.scan(record.text);
        overall = maxLevel(overall, r.level);
        const why = rules ? `,"dropped":${droppedJson(dropped(rules, record.text, r.findings))}` : '';
        out.push(`{"id":${JSON.stringify(record.id ?? null)},"level":"${r.level}","findings":${findingsJson(r.findings, explain)}${why}}\n`);
      }
    } else {
      const r: ScanResult = guard.scan(input);
      overall = r.level;
      const gone = rules ? dropped(rules, input, r.findings) : [];
      if (format === 'json') {
        out.push(`{"level":"${r.level}","findings":${findingsJson(r.findings, explain)}${rules ? `,"dropped":${droppedJson(gone)}` : ''}}\n`);
      } else {
        const name = opts.file && opts.file !== '-' ? `${opts.file}:` : '';
        const by = (f: Finding): string => (explain ? `\t${f.detector === 'ner' ? 'model' : 'rule'}:${f.detector}\t${f.score}` : '');
        for (const f of r.findings) {
          const [line, col] = lineCol(input, f.start);
          out.push(`${name}${line}:${col}\t${f.type}\t${f.level}\t${maskValue(f.type, input.slice(f.start, f.end))}${by(f)}\n`);
        }
        for (const f of gone) {
          const [line, col] = lineCol(input, f.start);
          out.push(`${name}${line}:${col}\t${f.type}\tnot reported\t${maskValue(f.type, input.slice(f.start, f.end))}\trule:${f.detector}\t${f.score}\t(the tagger did not agree)\n`);
        }
        out.push(`level: ${r.level} (${r.findings.length} finding${r.findings.length === 1 ? '' : 's'})\n`);
      }
    }
    out.flush();
    return failLevel !== null && levelRank(overall) >= levelRank(failLevel) ? 1 : 0;
  } catch (err) {
    out.flush();
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`yumen scan: ${message}\n`);
    return 2;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const processIo: ScanIo = {
  readStdin,
  readFile: (path) => readFile(path, 'utf8'),
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description('scan a document for personal data, secrets and classified marks / 扫描文档中的个人信息、密钥与密级标识')
    .argument('[file]', 'file to scan, or - for stdin (default)')
    .option('--format <format>', 'text, json, or jsonl (input lines {"id","text"})', 'text')
    .option('--fail-level <level>', 'exit 1 when a finding reaches this level (public|internal|sensitive|classified)')
    .option('--terms <file>', 'custom dictionary: one term per line, optionally "term<TAB>label"')
    .option('--disable <types>', 'comma-separated finding types not to detect')
    .option('--explain', 'for each finding, the rule or the model that found it and its score; also the rule finds not reported / 每项结果注明来自规则还是模型及其分数，并列出未采纳的规则结果')
    .action(async (file: string | undefined, opts: Omit<ScanOptions, 'file'>) => {
      const code = await runScan({ ...opts, file }, processIo);
      // Let stdout drain before exiting.
      process.exitCode = code;
    });
}
