import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isMapping } from '../util/mapping.ts';
import { QA_METRICS, type QaMetric } from './qa.ts';

interface TaskBase {
  name: string;
  /** The dataset file ('' when the items are given inline). */
  dataset: string;
  /** The dataset's records given inline instead of a file (over HTTP, where no path is accepted). */
  items?: Array<Record<string, unknown>>;
  limit?: number;
}
export interface McqTask extends TaskBase { type: 'mcq'; dev?: string; dev_items?: Array<Record<string, unknown>>; shots: number; subject: string }
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

/** Inline records: a non-empty list of mappings (at most 10 000). */
function records(v: unknown, path: string, problems: string[]): Array<Record<string, unknown>> | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.length > 10_000 || !v.every(isMapping)) {
    problems.push(`${path}: expected a list of 1–10000 mappings`);
    return undefined;
  }
  return v as Array<Record<string, unknown>>;
}

/**
 * Checks a suite given as data. Files are read relative to `baseDir`; with `inline` (a suite sent over
 * HTTP) no path is accepted at all: each task gives its records as `items` (and an mcq task its examples as
 * `dev`, a list too); a `dataset` or a `dev` path is a problem.
 */
export function parseSuite(raw: unknown, baseDir: string, opts: { inline?: boolean } = {}): Suite {
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
    const limit = positiveInt(t.limit, `${at}.limit`, problems);
    let base: TaskBase;
    if (opts.inline) {
      if (t.dataset !== undefined) problems.push(`${at}.dataset: file paths are not accepted here; give the records inline as items`);
      if (t.dev !== undefined && !Array.isArray(t.dev)) problems.push(`${at}.dev: file paths are not accepted here; give the examples inline as a list`);
      const items = records(t.items, `${at}.items`, problems);
      if (t.items === undefined) problems.push(`${at}.items: expected a list of 1–10000 mappings`);
      base = { name: taskName ?? '', dataset: '', items, limit };
    } else {
      const dataset = text(t.dataset, `${at}.dataset`, problems);
      base = { name: taskName ?? '', dataset: dataset ? resolve(baseDir, dataset) : '', limit };
    }
    if (!TYPES.includes(t.type as (typeof TYPES)[number])) {
      problems.push(`${at}.type: expected one of ${TYPES.join(', ')}`);
      return;
    }
    if (t.type === 'mcq') {
      const dev = opts.inline ? undefined : text(t.dev, `${at}.dev`, problems, false);
      const devItems = opts.inline && Array.isArray(t.dev) ? records(t.dev, `${at}.dev`, problems) : undefined;
      const shots = positiveInt(t.shots, `${at}.shots`, problems, 0) ?? (dev || devItems ? 5 : 0);
      if (shots > 0 && !dev && !devItems) problems.push(`${at}.dev: shots need dev examples to take them from`);
      tasks.push({ ...base, type: 'mcq', dev: dev ? resolve(baseDir, dev) : undefined, ...(devItems ? { dev_items: devItems } : {}), shots, subject: text(t.subject, `${at}.subject`, problems, false) ?? base.name });
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
