import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { knowledgeFromConfig, SUPPORTED_EXTENSIONS, type KnowledgeService } from '../../knowledge/index.ts';
import { createModelRegistry } from '../../providers/index.ts';
import { openStore } from '../../store/index.ts';
import { fail, loadValidatedConfig, withConfigOption } from '../config-option.ts';

async function withKnowledge<T>(configFile: string | undefined, fn: (kb: KnowledgeService) => Promise<T>): Promise<T> {
  const config = loadValidatedConfig(configFile);
  const store = await openStore(config.storage.url);
  const registry = createModelRegistry(config.models, { dataDir: config.data_dir });
  try {
    return await fn(await knowledgeFromConfig(config, store, registry));
  } finally {
    await registry.close();
    await store.close();
  }
}

/** Files under the given paths (folders recursively, hidden entries skipped), supported extensions only for folders. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, explicit: boolean) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) if (!e.startsWith('.')) walk(join(p, e), false);
    } else if (st.isFile() && (explicit || SUPPORTED_EXTENSIONS.includes(extname(p).toLowerCase()))) out.push(resolve(p));
  };
  for (const p of paths) walk(p, true);
  return out;
}

const positiveInt = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got ${v}`);
  return n;
};

/** Runs the jobs of one batch in this process with a progress bar on stderr; returns the counts. */
async function runBatch(kb: KnowledgeService, batchId: string, showProgress: boolean) {
  const start = await kb.progress(batchId);
  const bar = showProgress ? new cliProgress.SingleBar({ format: '{bar} {value}/{total} {percentage}% | {file}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  bar?.start(start.total, start.total - start.queued - start.running, { file: '' });
  for (;;) {
    const results = await kb.runJobs(batchId, { maxJobs: 64 });
    if (!results.length) break;
    for (const r of results) {
      bar?.increment(1, { file: r.name.slice(0, 40) });
      if (r.error) process.stderr.write(`${bar ? '\n' : ''}yumen: ${r.name}: ${r.error}\n`);
      else if (r.outcome?.docStatus === 'no_text_layer') process.stderr.write(`${bar ? '\n' : ''}yumen: ${r.name}: no text layer (scanned? enable knowledge.ocr) / 无文本层\n`);
    }
  }
  bar?.stop();
  return kb.progress(batchId);
}

export function registerKbCommand(program: Command): void {
  const kb = program.command('kb').description('knowledge bases / 知识库');

  withConfigOption(kb.command('create <name>'))
    .description('create a knowledge base owned by a department / 创建知识库')
    .requiredOption('-t, --tenant <name>', 'owning department (tenant)')
    .option('-d, --description <text>', 'description')
    .action(async (name: string, opts: { config?: string; tenant: string; description?: string }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          const b = await k.createBase({ tenant: opts.tenant, name, description: opts.description });
          process.stdout.write(`created knowledge base ${b.name} (department ${opts.tenant})\n`);
        });
      } catch (err) { fail(err); }
    });

  withConfigOption(kb.command('add <name> <paths...>'))
    .description('add files and folders (PDF, DOCX, XLSX, CSV, PPTX, HTML, Markdown, TXT, OFD) / 导入文档')
    .option('--no-progress', 'no progress bar')
    .action(async (name: string, paths: string[], opts: { config?: string; progress: boolean }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          const files = expandPaths(paths);
          if (!files.length) throw new Error('no supported files found');
          const batch = await k.enqueue(null, name, files.map((f) => ({ source: f })));
          const p = await runBatch(k, batch, opts.progress && process.stderr.isTTY === true);
          process.stdout.write(`${name}: ${p.done} added, ${p.skipped} unchanged or duplicate, ${p.failed} failed (batch ${batch})\n`);
          if (p.failed) process.exitCode = 1;
        });
      } catch (err) { fail(err); }
    });

  withConfigOption(kb.command('resume'))
    .description('finish ingest jobs left queued by an interrupted run / 继续未完成的导入任务')
    .action(async (opts: { config?: string }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          await k.requeueStale(60_000);
          let n = 0;
          for (;;) {
            const r = await k.runNextJob();
            if (r === false) break;
            n++;
            if (r.error) process.stderr.write(`yumen: ${r.name}: ${r.error}\n`);
          }
          process.stdout.write(`${n} job(s) run\n`);
        });
      } catch (err) { fail(err); }
    });

  withConfigOption(kb.command('search <name> <query>'))
    .description('search a knowledge base / 检索知识库')
    .option('-k, --top <k>', 'number of results', positiveInt('--top'), 5)
    .option('-f, --format <format>', 'text | json', 'text')
    .action(async (name: string, query: string, opts: { config?: string; top: number; format: string }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          const results = await k.search(null, name.split(','), query, { topK: opts.top });
          if (opts.format === 'json') {
            process.stdout.write(`${JSON.stringify({ results: results.map((r) => ({ document: r.document, chunk: r.chunk, score: r.score, text: r.text, page: r.page })) })}\n`);
            return;
          }
          if (!results.length) process.stdout.write('no results / 无结果\n');
          results.forEach((r, i) => {
            const where = `${r.document}${r.page !== null ? ` p.${r.page}` : ''} #${r.chunk}`;
            process.stdout.write(`${i + 1}. [${r.score}] ${where}\n   ${r.text.replace(/\s+/g, ' ').slice(0, 200)}\n`);
          });
        });
      } catch (err) { fail(err); }
    });

  withConfigOption(kb.command('list [name]'))
    .description('list knowledge bases, or the documents of one / 列出知识库或其文档')
    .option('-f, --format <format>', 'text | json', 'text')
    .action(async (name: string | undefined, opts: { config?: string; format: string }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          const rows = name ? await k.listDocuments(null, name) : await k.listBases(null);
          if (opts.format === 'json') { process.stdout.write(`${JSON.stringify(rows)}\n`); return; }
          for (const r of rows as Array<Record<string, unknown>>) {
            process.stdout.write(name
              ? `${r.name}\t${r.format}\t${r.status}\t${r.chunks} chunks\t${r.source}\n`
              : `${r.name}\t${r.tenant}\t${r.documents} documents\t${r.chunks} chunks\n`);
          }
        });
      } catch (err) { fail(err); }
    });

  withConfigOption(kb.command('rm <name> [document]'))
    .description('delete a knowledge base, or one document of it (by file name or path) / 删除知识库或文档')
    .action(async (name: string, document: string | undefined, opts: { config?: string }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          if (!document) { await k.deleteBase(null, name); process.stdout.write(`deleted knowledge base ${name}\n`); return; }
          const abs = resolve(document);
          const docs = (await k.listDocuments(null, name)).filter((d) => d.source === document || d.source === abs || d.name === document);
          if (!docs.length) throw new Error(`no document "${document}" in ${name}`);
          for (const d of docs) await k.deleteDocument(null, name, d.id);
          process.stdout.write(`deleted ${docs.length} document(s) from ${name}\n`);
        });
      } catch (err) { fail(err); }
    });

  withConfigOption(kb.command('share <name> <department>'))
    .description('share a knowledge base read-only with another department / 共享给其他部门（只读）')
    .option('--revoke', 'take the share back')
    .action(async (name: string, department: string, opts: { config?: string; revoke?: boolean }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          await k.share(null, name, department, !opts.revoke);
          process.stdout.write(`${opts.revoke ? 'unshared' : 'shared'} ${name} ${opts.revoke ? 'from' : 'with'} ${department}\n`);
        });
      } catch (err) { fail(err); }
    });

  withConfigOption(kb.command('words <name> <words...>'))
    .description("add terms to the owning department's segmentation dictionary / 添加部门自定义词")
    .action(async (name: string, words: string[], opts: { config?: string }) => {
      try {
        await withKnowledge(opts.config, async (k) => {
          await k.addWords(null, name, words);
          process.stdout.write(`${words.length} word(s) added; documents added from now on use them (re-add older ones to re-index)\n`);
        });
      } catch (err) { fail(err); }
    });
}
