import type { Sample } from './curate.ts';

/** LLaMA-Factory's two dataset formats (its data/README: alpaca and sharegpt, dataset_info.json entries). */
export type DatasetFormat = 'alpaca' | 'sharegpt';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['alpaca', 'sharegpt'];

export interface DatasetInfoEntry {
  file_name: string;
  formatting: DatasetFormat;
  ranking?: boolean;
  columns: Record<string, string>;
  tags?: Record<string, string>;
}

const SHAREGPT_TAGS = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', system_tag: 'system' };

function turns(s: Sample): Array<{ from: 'human' | 'gpt'; value: string }> {
  const out: Array<{ from: 'human' | 'gpt'; value: string }> = [];
  for (const [u, a] of s.history) out.push({ from: 'human', value: u }, { from: 'gpt', value: a });
  out.push({ from: 'human', value: s.instruction });
  return out;
}

/** A supervised fine-tuning row. */
export function sftRow(format: DatasetFormat, s: Sample): Record<string, unknown> {
  if (format === 'alpaca') return { instruction: s.instruction, input: '', output: s.output, system: s.system, history: s.history };
  return { conversations: [...turns(s), { from: 'gpt', value: s.output }], system: s.system, tools: '' };
}

/** A preference (DPO) row: the correction chosen, the model's original answer rejected. */
export function preferenceRow(format: DatasetFormat, s: Sample & { rejected: string }): Record<string, unknown> {
  if (format === 'alpaca') return { instruction: s.instruction, input: '', chosen: s.output, rejected: s.rejected, system: s.system, history: s.history };
  return { conversations: turns(s), chosen: { from: 'gpt', value: s.output }, rejected: { from: 'gpt', value: s.rejected }, system: s.system };
}

export function datasetInfoEntry(format: DatasetFormat, fileName: string, ranking: boolean): DatasetInfoEntry {
  if (format === 'alpaca') {
    return {
      file_name: fileName, formatting: 'alpaca', ...(ranking ? { ranking: true } : {}),
      columns: ranking
        ? { prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected', system: 'system', history: 'history' }
        : { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' },
    };
  }
  return {
    file_name: fileName, formatting: 'sharegpt', ...(ranking ? { ranking: true } : {}),
    columns: ranking ? { messages: 'conversations', chosen: 'chosen', rejected: 'rejected', system: 'system' } : { messages: 'conversations', system: 'system', tools: 'tools' },
    tags: SHAREGPT_TAGS,
  };
}
