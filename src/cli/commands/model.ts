/**
 * `yumen model pull NAME|URL` — download a GGUF (ModelScope by default, or any mirror / plain URL),
 * resumable with HTTP Range, sha256-checked, GGUF-magic-checked, then added to the config as an
 * embedded `llama-cpp` model. `yumen model list` prints the configured models.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, isAbsolute } from 'node:path';
import { Agent, interceptors, type Dispatcher } from 'undici';
import type { Command } from 'commander';
import { Document, isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import cliProgress from 'cli-progress';
import { ggufProblem } from '../../providers/llama-cpp/check-model-files.ts';

export interface CatalogueEntry {
  /** Path on ModelScope (or a mirror of it), appended to the mirror base. */
  path: string;
  file: string;
  sha256?: string;
  description: string;
}

/** Well-known small GGUF models. sha256 is listed only where verified; otherwise it is printed after download. */
export const MODEL_CATALOGUE: Readonly<Record<string, CatalogueEntry>> = Object.freeze({
  'qwen2.5-0.5b-instruct': {
    path: '/models/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/master/qwen2.5-0.5b-instruct-q4_k_m.gguf',
    file: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
    description: 'Qwen2.5 0.5B Instruct, Q4_K_M (~400 MB)',
  },
  'qwen2.5-1.5b-instruct': {
    path: '/models/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/master/qwen2.5-1.5b-instruct-q4_k_m.gguf',
    file: 'qwen2.5-1.5b-instruct-q4_k_m.gguf',
    description: 'Qwen2.5 1.5B Instruct, Q4_K_M (~1 GB)',
  },
  'qwen2.5-3b-instruct': {
    path: '/models/Qwen/Qwen2.5-3B-Instruct-GGUF/resolve/master/qwen2.5-3b-instruct-q4_k_m.gguf',
    file: 'qwen2.5-3b-instruct-q4_k_m.gguf',
    description: 'Qwen2.5 3B Instruct, Q4_K_M (~2 GB)',
  },
});

export const DEFAULT_MODEL_MIRROR = 'https://modelscope.cn';

export interface PullOptions {
  /** A catalogue name or an http(s) URL of a .gguf file. */
  source: string;
  /** Download directory (default `./models`). */
  dir?: string;
  /** Expected sha256 (hex); overrides the catalogue's. */
  sha256?: string;
  /** Model name in the config (default: the catalogue name or the file name without .gguf). */
  name?: string;
  zone?: 'private' | 'external';
  threads?: number;
  /** Base URL replacing ModelScope for catalogue names (default YUMEN_MODEL_MIRROR or modelscope.cn). */
  mirror?: string;
  /** Config file to add the model to; omitted → not added. */
  config?: string;
  /** Download attempts, each resuming where the last stopped (default 4). */
  attempts?: number;
}

export interface PullHooks {
  onProgress?: (received: number, total: number | undefined) => void;
  onRetry?: (attempt: number, err: Error) => void;
  /** Tests may pass their own dispatcher. */
  dispatcher?: Dispatcher;
}

export interface PullResult { name: string; path: string; sha256: string; bytes: number; url: string; addedToConfig: boolean }

export function resolveSource(source: string, mirror?: string): { url: string; file: string; name: string; sha256?: string } {
  if (/^https?:\/\//i.test(source)) {
    const file = decodeURIComponent(basename(new URL(source).pathname)) || 'model.gguf';
    return { url: source, file, name: file.replace(/\.gguf$/i, '') };
  }
  const entry = Object.hasOwn(MODEL_CATALOGUE, source) ? MODEL_CATALOGUE[source] : undefined;
  if (entry === undefined) {
    throw new Error(`unknown model "${source}": give a URL or one of ${Object.keys(MODEL_CATALOGUE).join(', ')}`);
  }
  const base = (mirror ?? process.env.YUMEN_MODEL_MIRROR ?? DEFAULT_MODEL_MIRROR).replace(/\/+$/, '');
  return { url: base + entry.path, file: entry.file, name: source, sha256: entry.sha256 };
}

async function hashFile(file: string, hash: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

async function fileSize(file: string): Promise<number> {
  try { return (await stat(file)).size; } catch { return 0; }
}

/** One download attempt into `part`, resuming from its current size. Returns the total size when known. */
async function downloadOnce(url: string, part: string, dispatcher: Dispatcher, hooks: PullHooks): Promise<void> {
  const have = await fileSize(part);
  const { statusCode, headers, body } = await dispatcher.request({
    origin: new URL(url).origin,
    path: new URL(url).pathname + new URL(url).search,
    method: 'GET',
    headers: have > 0 ? { range: `bytes=${have}-` } : {},
  });
  if (statusCode === 416 && have > 0) { await body.dump(); return; } // already complete
  if (statusCode !== 200 && statusCode !== 206) {
    await body.dump();
    throw Object.assign(new Error(`download failed: HTTP ${statusCode} from ${url}`), { fatal: statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429 });
  }
  const resume = statusCode === 206;
  const start = resume ? have : 0;
  const len = Number(headers['content-length']);
  const total = Number.isFinite(len) ? start + len : undefined;
  let received = start;
  hooks.onProgress?.(received, total);
  const file = createWriteStream(part, { flags: resume ? 'a' : 'w' });
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      hooks.onProgress?.(received, total);
      if (!file.write(chunk)) await once(file, 'drain');
    }
  } finally {
    // What arrived before an interruption is flushed, not discarded with the stream: the next attempt resumes after it.
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  if (total !== undefined && received < total) throw new Error(`download interrupted at ${received} of ${total} bytes`);
}

/** Downloads (resuming), verifies sha256 and the GGUF magic, and optionally adds the model to the config. */
export async function pullModel(opts: PullOptions, hooks: PullHooks = {}): Promise<PullResult> {
  const src = resolveSource(opts.source, opts.mirror);
  const dir = opts.dir ?? 'models';
  await mkdir(dir, { recursive: true });
  const finalPath = join(dir, src.file);
  const part = `${finalPath}.part`;
  const dispatcher = hooks.dispatcher ?? new Agent({ connect: { timeout: 30_000 } }).compose(interceptors.redirect({ maxRedirections: 5 }));
  const attempts = opts.attempts ?? 4;
  try {
    for (let n = 1; ; n++) {
      try {
        await downloadOnce(src.url, part, dispatcher, hooks);
        break;
      } catch (err) {
        if (n >= attempts || (err as { fatal?: boolean }).fatal === true) throw err;
        hooks.onRetry?.(n, err as Error);
      }
    }
  } finally {
    if (hooks.dispatcher === undefined) await dispatcher.close();
  }
  const hash = createHash('sha256');
  await hashFile(part, hash);
  const sha256 = hash.digest('hex');
  const expected = (opts.sha256 ?? src.sha256)?.toLowerCase();
  if (expected !== undefined && expected !== sha256) {
    await rm(part, { force: true });
    throw new Error(`sha256 mismatch for ${src.file}: expected ${expected}, got ${sha256} (the partial file was removed)`);
  }
  const problem = await ggufProblem(part);
  if (problem !== null) {
    await rm(part, { force: true });
    throw new Error(`downloaded file is not a GGUF model (${src.url}); removed`);
  }
  await rename(part, finalPath);
  const bytes = await fileSize(finalPath);
  const name = opts.name ?? src.name;
  let addedToConfig = false;
  if (opts.config !== undefined) {
    // llama-cpp paths resolve against the working directory yumen runs in, like --dir here.
    const path = isAbsolute(finalPath) || finalPath.startsWith('.') ? finalPath : `./${finalPath}`;
    const entry: Record<string, unknown> = { name, provider: 'llama-cpp', path, zone: opts.zone ?? 'private' };
    if (opts.threads !== undefined) entry.threads = opts.threads;
    addedToConfig = await addModelToConfig(opts.config, entry);
  }
  return { name, path: finalPath, sha256, bytes, url: src.url, addedToConfig };
}

/**
 * Appends a model entry to `models:` of a YAML config, keeping comments (creates the file if missing).
 * Returns false when a model of that name is already configured (the file is left unchanged).
 */
export async function addModelToConfig(file: string, entry: Record<string, unknown>): Promise<boolean> {
  let text: string | undefined;
  try { text = await readFile(file, 'utf8'); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
  const doc = text !== undefined && text.trim() !== '' ? parseDocument(text) : new Document({});
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as typeof doc.contents;
  let models = doc.get('models', true);
  if (!isSeq(models)) {
    models = new YAMLSeq();
    doc.set('models', models);
  }
  const seq = models as YAMLSeq;
  for (const item of seq.items) {
    if (isMap(item) && item.get('name') === entry.name) return false;
  }
  const node = doc.createNode(entry);
  node.flow = true;
  seq.items.push(node);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, doc.toString());
  return true;
}

/** Models listed in a config file (name, provider, zone and path or base_url). */
export async function listConfiguredModels(file: string): Promise<Array<Record<string, unknown>>> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  const models = doc.toJS()?.models;
  return Array.isArray(models) ? models : [];
}

function progressReporter(label: string): { onProgress: PullHooks['onProgress']; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB`,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      onProgress: (received, total) => {
        const mb = (x: number): number => Math.round(x / 1e5) / 10;
        if (!started) { bar.start(mb(total ?? received), mb(received)); started = true; }
        if (total !== undefined) bar.setTotal(mb(total));
        bar.update(mb(received));
      },
      stop: () => { if (started) bar.stop(); },
    };
  }
  let lastPct = -10;
  return {
    onProgress: (received, total) => {
      if (total === undefined || total === 0) return;
      const pct = Math.floor((received / total) * 100);
      if (pct >= lastPct + 10 || received === total) {
        lastPct = pct;
        process.stderr.write(`${label}: ${pct}% (${received}/${total} bytes)\n`);
      }
    },
    stop: () => undefined,
  };
}

export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('manage embedded GGUF models / 管理内置引擎的 GGUF 模型');
  model.command('pull')
    .argument('<source>', `catalogue name (${Object.keys(MODEL_CATALOGUE).join(', ')}) or URL of a .gguf file`)
    .description('download a GGUF model (resumable, sha256-checked) and add it to the config')
    .option('-c, --config <file>', 'config file to add the model to', 'yumen.yaml')
    .option('--dir <dir>', 'download directory', 'models')
    .option('--sha256 <hex>', 'expected sha256 of the file')
    .option('--name <name>', 'model name in the config')
    .option('--zone <zone>', 'trust zone', 'private')
    .option('--threads <n>', 'CPU threads for the embedded engine', (v) => Number.parseInt(v, 10))
    .option('--mirror <url>', 'base URL of a ModelScope mirror (env YUMEN_MODEL_MIRROR)')
    .action(async (source: string, o: { config: string; dir: string; sha256?: string; name?: string; zone: string; threads?: number; mirror?: string }) => {
      if (o.zone !== 'private' && o.zone !== 'external') throw new Error('--zone must be private or external');
      const progress = progressReporter(basename(source));
      try {
        const r = await pullModel({ source, config: o.config, dir: o.dir, sha256: o.sha256, name: o.name, zone: o.zone, threads: o.threads, mirror: o.mirror }, {
          onProgress: progress.onProgress,
          onRetry: (n, err) => process.stderr.write(`\nattempt ${n} failed (${err.message}); resuming…\n`),
        });
        progress.stop();
        process.stderr.write(`saved ${r.path} (${r.bytes} bytes)\nsha256 ${r.sha256}\n`);
        process.stderr.write(r.addedToConfig ? `added model "${r.name}" to ${o.config}\n` : `model "${r.name}" already in ${o.config}; left unchanged\n`);
      } catch (err) {
        progress.stop();
        throw err;
      }
    });
  model.command('list')
    .description('print the configured models')
    .option('-c, --config <file>', 'config file', 'yumen.yaml')
    .action(async (o: { config: string }) => {
      for (const m of await listConfiguredModels(o.config)) {
        const where = m.path ?? m.base_url ?? (Array.isArray(m.backends) ? `${m.backends.length} backends` : '');
        process.stdout.write(`${String(m.name)}\t${String(m.provider)}\t${String(m.zone ?? '(no zone)')}\t${String(where)}\n`);
      }
    });
}
