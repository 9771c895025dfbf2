/** File checks for embedded models, for `yumen config check` and start-up: missing files and non-GGUF files. */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ModelConfig } from '../../config/types.ts';
import { presetOf } from '../presets.ts';

export const GGUF_MAGIC = 'GGUF';

/** Returns null when `file` starts with the GGUF magic, else a human reason. */
export async function ggufProblem(file: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `file not found: ${file}`;
    if (code === 'EISDIR') return `is a directory, not a GGUF file: ${file}`;
    return `cannot open ${file}: ${(err as Error).message}`;
  }
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    if (bytesRead < 4 || buf.toString('latin1') !== GGUF_MAGIC) return `not a GGUF file (missing "GGUF" magic): ${file}`;
    return null;
  } catch (err) {
    return `cannot read ${file}: ${(err as Error).message}`;
  } finally {
    await fh.close();
  }
}

/** Reports, with key paths, llama-cpp models whose `path` is missing or not a GGUF file. */
export async function checkModelFiles(models: ModelConfig[], cwd = process.cwd()): Promise<string[]> {
  const out: string[] = [];
  await Promise.all(models.map(async (m, i) => {
    if (presetOf(m.provider)?.protocol !== 'llama-cpp' || typeof m.path !== 'string') return;
    const problem = await ggufProblem(resolve(cwd, m.path));
    if (problem !== null) out.push(`models[${i}].path: ${problem}`);
    for (const [j, a] of (Array.isArray(m.lora) ? m.lora : []).entries()) {
      if (typeof a?.path !== 'string') continue;
      const bad = await ggufProblem(resolve(cwd, a.path));
      if (bad !== null) out.push(`models[${i}].lora[${j}].path: ${bad}`);
    }
  }));
  return out.sort();
}
