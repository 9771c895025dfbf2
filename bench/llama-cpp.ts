/**
 * Embedded engine overhead: tokens/s of raw node-llama-cpp (LlamaChat on one sequence) against the same
 * model through Yumen's llama-cpp provider (non-streamed and streamed), same thread count.
 * Usage: npm run bench:llama-cpp [-- --model FILE --threads N --tokens N --runs N]
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getLlama, LlamaChat, LlamaLogLevel, resolveChatWrapper, type ChatHistoryItem } from 'node-llama-cpp';
import { createModelRegistry } from '../src/providers/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: resolve(here, '../../shared/models/stories260K.gguf') },
    threads: { type: 'string', default: '1' },
    tokens: { type: 'string', default: '200' },
    runs: { type: 'string', default: '15' },
  },
});
const modelPath = values.model as string;
const threads = Number(values.threads);
const maxTokens = Number(values.tokens);
const runs = Number(values.runs);

if (!existsSync(modelPath)) {
  console.log(`skipped: ${modelPath} not found (the benchmark needs ../shared/models/stories260K.gguf or --model FILE)`);
  process.exit(0);
}

const prompt = 'Once upon a time';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Runner { name: string; run(): Promise<number>; close(): Promise<void> }

async function rawRunner(): Promise<Runner> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({ sequences: 1, threads, contextSize: { max: 4096 } });
  const chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: resolveChatWrapper(model) });
  const history: ChatHistoryItem[] = [{ type: 'user', text: prompt }, { type: 'model', response: [] }];
  return {
    name: 'raw node-llama-cpp',
    run: async () => {
      let n = 0;
      await chat.generateResponse(history, { maxTokens, temperature: 0, onToken: (t) => { n += t.length; } });
      return n;
    },
    close: async () => { await context.dispose(); await model.dispose(); },
  };
}

function adapterRunner(stream: boolean): Runner {
  const reg = createModelRegistry([{ name: 'bench', provider: 'llama-cpp', path: modelPath, zone: 'private', threads, parallel: 1 }]);
  const h = reg.get('bench')!;
  const req = { model: 'bench', messages: [{ role: 'user' as const, content: prompt }], max_tokens: maxTokens, temperature: 0, stream_options: { include_usage: true } };
  const ctx = { signal: new AbortController().signal, requestId: 'bench' };
  return {
    name: stream ? 'yumen llama-cpp, streamed' : 'yumen llama-cpp',
    run: async () => {
      if (!stream) return (await h.chat(req, ctx)).completion.usage!.completion_tokens;
      let n = 0;
      const { stream: s } = await h.chatStream(req, ctx);
      for await (const c of s) if (c.usage) n = c.usage.completion_tokens;
      return n;
    },
    close: () => reg.close(),
  };
}

// Interleave the runners so machine noise (other processes on 2 cores) hits them alike.
const runners = [await rawRunner(), adapterRunner(false), adapterRunner(true)];
const rates: number[][] = runners.map(() => []);
for (let i = 0; i < runs + 2; i++) {
  for (let k = 0; k < runners.length; k++) {
    const t0 = performance.now();
    const n = await runners[k].run();
    const ms = performance.now() - t0;
    if (i >= 2) rates[k].push((n / ms) * 1000); // two warm-up rounds (the first also loads the model)
  }
}
for (const r of runners) await r.close();
const [r, a, s] = rates.map(median);
const pct = (x: number): string => `${((x / r) * 100).toFixed(1)}%`;
console.log(`model ${modelPath}, threads ${threads}, max_tokens ${maxTokens}, median of ${runs} runs`);
console.log(`raw node-llama-cpp     ${r.toFixed(0)} tokens/s`);
console.log(`yumen llama-cpp        ${a.toFixed(0)} tokens/s (${pct(a)})`);
console.log(`yumen llama-cpp stream ${s.toFixed(0)} tokens/s (${pct(s)})`);
