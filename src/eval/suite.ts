import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isMapping } from '../util/mapping.ts';
import { QA_METRICS, type QaMetric } from './qa.ts';

interface TaskBase { name: string; dataset: string; limit?: number }
export interface McqTask extends TaskBase { type: 'mcq'; dev?: string; shots: number; subject: string }
export interface RefusalTask extends TaskBase { type: 'refusal'; expect: 'refuse' | 'answer'; column?: string; category_column?: string }
export interface QaTask extends TaskBase { type: 'qa'; metric: QaMetric; rubric?: string }
export type EvalTask = McqTask | RefusalTask | QaTask;

export interface Suite {
  name: string;
  /** The department the suite runs as: its policy, limits and audit apply to every call. */
  tenant: string;
  models: string[];
  /** The model that scores `judge` answers (default: the first model of the suite). */
  judge?: string;
  /** Calls in flight per model. */
  concurrency: number;
  /** Retries of a call that failed for a passing reason (429, 5xx, network). */
  retries: number;
  max_tokens: number;
  tasks: EvalTask[];
}

export class SuiteError extends Error {}

const TYPES = ['mcq', 'refusal', 'qa'] as const;

function positiveInt(v: unknown, path: string, problems: string[], min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < min) problems.push(`${path}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}

function text(v: unknown, path: string, problems: string[], required = true): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '') problems.push(`${path}: expected a non-empty string`);
  return v as string;
}

/**
 * Reads and checks a suite file. Dataset paths are relative to the suite file. Every problem is reported
 * at once, each with its key path (`tasks[2].metric: …`).
 */
export function loadSuite(file: string): Suite {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SuiteError(`${file}: ${(err as Error).message}`);
  }
  return parseSuite(raw, dirname(resolve(file)));
}

export function parseSuite(raw: unknown, baseDir: string): Suite {
  const problems: string[] = [];
  if (!isMapping(raw)) throw new SuiteError('suite: expected a mapping with name, tenant, models and tasks');
  const name = text(raw.name, 'name', problems);
  const tenant = text(raw.tenant, 'tenant', problems);
  const models = Array.isArray(raw.models) ? raw.models : [];
  if (!Array.isArray(raw.models) || models.some((m) => typeof m !== 'string' || !m)) problems.push('models: expected a list of model names');
  const judge = text(raw.judge, 'judge', problems, false);
  const concurrency = positiveInt(raw.concurrency, 'concurrency', problems) ?? 4;
  const retries = positiveInt(raw.retries, 'retries', problems, 0) ?? 2;
  const maxTokens = positiveInt(raw.max_tokens, 'max_tokens', problems) ?? 512;
  const tasks: EvalTask[] = [];
  if (!Array.isArray(raw.tasks) || raw.tasks.length === 0) problems.push('tasks: expected a non-empty list');
  const seen = new Set<string>();
  (Array.isArray(raw.tasks) ? raw.tasks : []).forEach((t: unknown, i: number) => {
    const at = `tasks[${i}]`;
    if (!isMapping(t)) {
      problems.push(`${at}: expected a mapping`);
      return;
    }
    const taskName = text(t.name, `${at}.name`, problems);
    if (taskName && seen.has(taskName)) problems.push(`${at}.name: "${taskName}" is used twice`);
    if (taskName) seen.add(taskName);
    const dataset = text(t.dataset, `${at}.dataset`, problems);
    const limit = positiveInt(t.limit, `${at}.limit`, problems);
    const base = { name: taskName ?? '', dataset: dataset ? resolve(baseDir, dataset) : '', limit };
    if (!TYPES.includes(t.type as (typeof TYPES)[number])) {
      problems.push(`${at}.type: expected one of ${TYPES.join(', ')}`);
      return;
    }
    if (t.type === 'mcq') {
      const dev = text(t.dev, `${at}.dev`, problems, false);
      const shots = positiveInt(t.shots, `${at}.shots`, problems, 0) ?? (dev ? 5 : 0);
      if (shots > 0 && !dev) problems.push(`${at}.dev: shots need a dev file to take the examples from`);
      tasks.push({ ...base, type: 'mcq', dev: dev ? resolve(baseDir, dev) : undefined, shots, subject: text(t.subject, `${at}.subject`, problems, false) ?? base.name });
    } else if (t.type === 'refusal') {
      if (t.expect !== 'refuse' && t.expect !== 'answer') problems.push(`${at}.expect: expected refuse or answer`);
      tasks.push({ ...base, type: 'refusal', expect: t.expect as 'refuse' | 'answer', column: text(t.column, `${at}.column`, problems, false), category_column: text(t.category_column, `${at}.category_column`, problems, false) });
    } else {
      if (!QA_METRICS.includes(t.metric as QaMetric)) problems.push(`${at}.metric: expected one of ${QA_METRICS.join(', ')}`);
      tasks.push({ ...base, type: 'qa', metric: t.metric as QaMetric, rubric: text(t.rubric, `${at}.rubric`, problems, false) });
    }
  });
  if (problems.length) throw new SuiteError(`suite is not valid:\n  ${problems.join('\n  ')}`);
  return { name: name!, tenant: tenant!, models: models as string[], judge, concurrency, retries, max_tokens: maxTokens, tasks };
}
