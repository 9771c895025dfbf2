import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { isLevel, levelRank, LEVELS, maskValue, maxLevel, publicTermProblem, PUBLIC_TERMS_MAX } from '../../guard/index.ts';
import type { CustomTerm, Finding, FindingType, Level, ScanResult } from '../../guard/index.ts';
import { FINDING_TYPES } from '../../guard/index.ts';
import { createScanGuards, dropped, droppedJson, findingsJson, jsonlChunks, scanJsonlChunk, type ScanSetup } from '../scan/jsonl.ts';
import { scanJsonlParallel } from '../scan/parallel.ts';
import { detectFormat } from '../../knowledge/ingest/format.ts';
import { filesInText } from '../../knowledge/ingest/embedded-files.ts';
import type { FileTextReader } from '../../knowledge/file-text.ts';

export type ScanFormat = 'text' | 'json' | 'jsonl';

export interface ScanOptions {
  /** File path, or '-' / undefined for stdin. */
  file?: string;
  format?: string;
  failLevel?: string;
  /** Dictionary file: one term per line, optionally "term<TAB>label". */
  terms?: string;
  /** Public terms file: one term per line (# starts a comment): strings that are no person's name or address. */
  publicTerms?: string;
  /** Comma-separated finding types not to detect. */
  disable?: string;
  /** Say for each finding which rule or model found it and with what score, and which rule finds were dropped. */
  explain?: boolean;
  /**
   * Worker threads for JSONL input (each with its own guard). Default: one per core, used when the input is
   * large enough to repay their start (PARALLEL_MIN_CHARS); given explicitly, always used; 1 scans in-process.
   */
  jobs?: string | number;
}

/** JSONL input from this size on (characters; ≈ 16 MB of Chinese) is scanned on worker threads unless --jobs says otherwise: below it, starting the threads (≈ 0.4 s of CPU each) costs more than they save on two cores (bench:scan-cli). */
export const PARALLEL_MIN_CHARS = 6_000_000;
const MAX_JOBS = 64;

export interface ScanIo {
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  /** The text of the file to scan: a document's (PDF, Office, OFD, an image by OCR) or the file's own; readFile when absent. */
  readInput?(path: string): Promise<string>;
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

function parseJobs(v: string | number | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOBS) throw new UsageError(`--jobs: expected a whole number from 1 to ${MAX_JOBS}, got "${v}"`);
  return n;
}

/** The lines of a term file, trimmed, without blank lines and # comments. */
function termLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

function parseTerms(text: string): CustomTerm[] {
  return termLines(text).map((line) => {
    const [term, label] = line.split('\t');
    return label ? { term: term.trim(), label: label.trim() } : { term: term.trim() };
  });
}

function parsePublicTerms(text: string, path: string): string[] {
  const terms = termLines(text);
  if (terms.length > PUBLIC_TERMS_MAX) throw new UsageError(`--public-terms ${path}: at most ${PUBLIC_TERMS_MAX} terms, got ${terms.length}`);
  terms.forEach((term, i) => {
    const problem = publicTermProblem(term);
    if (problem !== null) throw new UsageError(`--public-terms ${path}: term ${i + 1} ${JSON.stringify(term)}: ${problem}`);
  });
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
    const jobs = parseJobs(opts.jobs);
    const customTerms = opts.terms ? parseTerms(await io.readFile(opts.terms)) : undefined;
    const publicTerms = opts.publicTerms ? parsePublicTerms(await io.readFile(opts.publicTerms), opts.publicTerms) : undefined;
    const explain = opts.explain === true;
    const setup: ScanSetup = { customTerms, publicTerms, disabled: disabled as FindingType[], explain };
    const fromFile = format === 'jsonl' ? io.readFile : io.readInput ?? io.readFile;
    const input = !opts.file || opts.file === '-' ? await io.readStdin() : await fromFile(opts.file);

    let overall: Level = 'public';
    if (format === 'jsonl') {
      const threads = jobs ?? (input.length >= PARALLEL_MIN_CHARS ? Math.min(availableParallelism(), MAX_JOBS) : 1);
      let r: { level: Level; error: string | null };
      if (threads > 1) r = await scanJsonlParallel(input, threads, setup, (s) => out.push(s));
      else {
        const scanner = createScanGuards(setup);
        r = { level: 'public', error: null };
        for (const chunk of jsonlChunks(input)) {
          const c = scanJsonlChunk(scanner, chunk.text, chunk.firstLine);
          out.push(c.out);
          r = { level: maxLevel(r.level, c.level), error: c.error };
          if (c.error !== null) break;
        }
      }
      overall = r.level;
      if (r.error !== null) throw new UsageError(r.error);
    } else {
      const guards = createScanGuards(setup);
      const r: ScanResult = guards.guard.scan(input);
      overall = r.level;
      const gone = explain ? dropped(guards, input, r.findings) : [];
      if (format === 'json') {
        out.push(`{"level":"${r.level}","findings":${findingsJson(r.findings, explain)}${explain ? `,"dropped":${droppedJson(gone)}` : ''}}\n`);
      } else {
        const name = opts.file && opts.file !== '-' ? `${opts.file}:` : '';
        const by = (f: Finding): string => (explain ? `\t${f.detector === 'ner' ? 'model' : 'rule'}:${f.detector}\t${f.score}` : '');
        for (const f of r.findings) {
          const [line, col] = lineCol(input, f.start);
          out.push(`${name}${line}:${col}\t${f.type}\t${f.level}\t${maskValue(f.type, input.slice(f.start, f.end))}${by(f)}\n`);
        }
        for (const { finding: f, why } of gone) {
          const [line, col] = lineCol(input, f.start);
          const by = why === 'tagger' ? `rule:${f.detector}\t${f.score}\t(the tagger did not agree)` : `${f.detector === 'ner' ? 'model' : 'rule'}:${f.detector}\t${f.score}\t(a public term / 公开词)`;
          out.push(`${name}${line}:${col}\t${f.type}\tnot reported\t${maskValue(f.type, input.slice(f.start, f.end))}\t${by}\n`);
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

/** Formats whose text is their bytes; any other file is read as the knowledge bases read it (text layers, OCR). */
const TEXT_FORMATS = new Set(['txt', 'md', 'csv', 'html']);

/**
 * The text of a document (PDF, Office, OFD, an image), or of a text file as UTF-8 — followed by the text of each file
 * pasted into it as base64 (a mail's attachment in an `.eml`, a `data:` URL: knowledge/ingest/embedded-files.ts), each after a
 * line that says which, so that its findings show past the file's own last line.
 */
async function readInput(path: string): Promise<string> {
  const bytes = await readFile(path);
  const format = detectFormat(path, bytes);
  const own = format !== null && TEXT_FORMATS.has(format) ? bytes.toString('utf8') : null;
  const files = own === null ? null : filesInText(own);
  if (own !== null && files!.length === 0) return own;
  return withReader(async (reader) => {
    const text = own ?? await reader.read(path, bytes);
    if (text.trim() === '') throw new Error(`${path}: no text could be read from this file (a photo, or a scan OCR could not read) / 未能从该文件读出文字`);
    const parts = [text];
    for (const [k, f] of (files ?? filesInText(text)).entries()) {
      let inner: string;
      try {
        inner = await reader.read(f.name, f.bytes);
      } catch (err) {
        throw new Error(`${path}: file ${k + 1} pasted into it as base64 (${f.name}) cannot be read: ${err instanceof Error ? err.message : String(err)} / 文中以 base64 粘贴的文件无法读取`);
      }
      parts.push(`[yumen scan: file ${k + 1} pasted into ${path} as base64 (${f.name}) / 文中粘贴的文件]`, inner);
    }
    return parts.join('\n');
  });
}

async function withReader<T>(use: (reader: FileTextReader) => Promise<T>): Promise<T> {
  const { createFileTextReader } = await import('../../knowledge/index.ts');
  const reader = createFileTextReader();
  try {
    return await use(reader);
  } finally {
    await reader.close();
  }
}

export const processIo: ScanIo = {
  readStdin,
  readInput,
  readFile: (path) => readFile(path, 'utf8'),
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description('scan a document for personal data, secrets and classified marks / 扫描文档中的个人信息、密钥与密级标识')
    .argument('[file]', 'file to scan (text, with files pasted into it as base64 such as a mail\'s attachments; PDF, Office and OFD files by their text; images by OCR, every frame and page), or - for stdin (default) / 待扫描文件（文中以 base64 粘贴的文件如邮件附件也读；PDF、Office、OFD 读文字层，图片用 OCR，动图每帧、多页 TIFF 每页）')
    .option('--format <format>', 'text, json, or jsonl (input lines {"id","text"})', 'text')
    .option('--fail-level <level>', 'exit 1 when a finding reaches this level (public|internal|sensitive|classified)')
    .option('--terms <file>', 'custom dictionary: one term per line, optionally "term<TAB>label"')
    .option('--public-terms <file>', 'public terms: one per line; a name or address finding that is exactly one is not reported / 公开词：每行一个，恰为公开词的人名、地址不报告')
    .option('--disable <types>', 'comma-separated finding types not to detect')
    .option('--jobs <n>', 'worker threads for jsonl input (default: one per core from 6 million characters, ≈ 16 MB of Chinese) / jsonl 输入的并行线程数')
    .option('--explain', 'for each finding, the rule or the model that found it and its score; also the rule finds not reported / 每项结果注明来自规则还是模型及其分数，并列出未采纳的规则结果')
    .action(async (file: string | undefined, opts: Omit<ScanOptions, 'file'>) => {
      const code = await runScan({ ...opts, file }, processIo);
      // Let stdout drain before exiting.
      process.exitCode = code;
    });
}
