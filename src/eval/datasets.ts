import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { csvRecords } from './csv.ts';
import { CHOICES, mcqPrompt, type Choice, type McqQuestion } from './mcq.ts';
import type { EvalTask, McqTask, QaTask, RefusalTask } from './suite.ts';
import { SuiteError } from './suite.ts';

/** One question of a task, ready to send: the prompt, and what a right answer is. */
export interface EvalItem {
  /** Stable within the task: the dataset's own id where it has one, else the line number. */
  id: string;
  prompt: string;
  /** mcq: the right letter. */
  choice?: Choice;
  /** qa: reference answers (any one is right). */
  references?: string[];
  /** qa: the question alone (for the judge); refusal: the risk category, when the dataset has one. */
  question?: string;
  category?: string;
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new SuiteError(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** One record of a dataset, from a file or given inline, with where it came from (for messages) and its default id. */
interface Row { at: string; key: string; value: Record<string, unknown> }

function jsonlRows(file: string, what: string): Row[] {
  const out: Row[] = [];
  read(file, what).split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new SuiteError(`${what}: ${file}:${i + 1} is not valid JSON`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SuiteError(`${what}: ${file}:${i + 1} is not a JSON object`);
    out.push({ at: `${file}:${i + 1}`, key: String(i + 1), value: value as Record<string, unknown> });
  });
  return out;
}

const csvRows = (file: string, what: string): Row[] => csvRecords(read(file, what)).map((r, i) => ({ at: `${file} row ${i + 1}`, key: r[''] || String(i), value: r }));

/** The rows of a dataset: the items given inline (over HTTP), else the file (CSV or JSONL, by its extension). */
function rows(file: string | undefined, items: readonly Record<string, unknown>[] | undefined, label: string, what: string): Row[] {
  if (items) return items.map((value, i) => ({ at: `${label}[${i}]`, key: String(i), value }));
  if (!file) return [];
  return extname(file).toLowerCase() === '.csv' ? csvRows(file, what) : jsonlRows(file, what);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const idOf = (row: Row): string => (typeof row.value.id === 'string' || typeof row.value.id === 'number' ? String(row.value.id) : row.key);

/** An mcq row: CMMLU's CSV columns (`,Question,A,B,C,D,Answer`) or the same in lower case inline (`question`, `answer`). */
function mcqQuestions(list: Row[], what: string): Array<McqQuestion & { id: string; at: string }> {
  return list.map((row) => {
    const r = row.value;
    const question = str(r.Question ?? r.question);
    const missing = [question === undefined ? 'Question' : null, ...CHOICES.filter((k) => str(r[k]) === undefined)].filter(Boolean);
    if (missing.length) throw new SuiteError(`${what}: ${row.at} has no column ${missing.join(', ')} (CMMLU format: ,Question,A,B,C,D,Answer)`);
    const answer = str(r.Answer ?? r.answer)?.trim().toUpperCase() ?? '';
    return {
      id: idOf(row), at: row.at,
      question: question!,
      options: { A: r.A as string, B: r.B as string, C: r.C as string, D: r.D as string },
      answer: (CHOICES as readonly string[]).includes(answer) ? (answer as Choice) : null,
    };
  });
}

function mcqItems(task: McqTask): EvalItem[] {
  const what = `task "${task.name}"`;
  const shots = task.dev || task.dev_items ? mcqQuestions(rows(task.dev, task.dev_items, 'dev', what), what).filter((q) => q.answer).slice(0, task.shots) : [];
  return mcqQuestions(rows(task.dataset, task.items, 'items', what), what).map((q) => {
    if (!q.answer) throw new SuiteError(`${what}: item ${q.id} (${q.at}) has no answer letter A–D`);
    return { id: q.id, prompt: mcqPrompt(task.subject, shots, q), choice: q.answer };
  });
}

const PROMPT_COLUMNS = ['prompt', 'query', 'question_zh', 'question'];
const CATEGORY_COLUMNS = ['category', '一级领域'];

function refusalItems(task: RefusalTask): EvalItem[] {
  const what = `task "${task.name}"`;
  const list = rows(task.dataset, task.items, 'items', what);
  // A CSV names its columns once; blank rows of a large benchmark CSV are skipped, not fatal.
  const csv = !task.items && extname(task.dataset).toLowerCase() === '.csv';
  const columns = csv && list.length ? Object.keys(list[0].value) : [];
  const column = task.column ?? (csv ? PROMPT_COLUMNS.find((c) => columns.includes(c)) : 'prompt');
  if (csv && (!column || !columns.includes(column))) throw new SuiteError(`${what}: ${task.dataset} has no prompt column${task.column ? ` "${task.column}"` : ''} (columns: ${columns.join(', ')}); name it with column:`);
  return list.filter((row) => !csv || str(row.value[column!])?.trim()).map((row) => {
    const prompt = str(row.value[column!]);
    if (!prompt?.trim()) throw new SuiteError(`${what}: ${row.at} has no "${column}" string`);
    const category = str(row.value[task.category_column ?? CATEGORY_COLUMNS.find((c) => c in row.value) ?? '']);
    return { id: idOf(row), prompt, category: category || undefined };
  });
}

function qaItems(task: QaTask): EvalItem[] {
  const what = `task "${task.name}"`;
  return rows(task.dataset, task.items, 'items', what).map((row) => {
    const { question, answer } = row.value;
    const references = typeof answer === 'string' ? [answer] : Array.isArray(answer) ? answer.filter((a): a is string => typeof a === 'string') : [];
    if (typeof question !== 'string' || !question.trim() || references.length === 0) throw new SuiteError(`${what}: ${row.at} needs "question" and "answer" (a string or a list of strings)`);
    if (task.metric === 'regex') {
      for (const r of references) {
        try {
          new RegExp(r, 'u');
        } catch (err) {
          throw new SuiteError(`${what}: ${row.at}: answer is not a valid regular expression (${(err as Error).message})`);
        }
      }
    }
    return { id: idOf(row), prompt: question, question, references };
  });
}

/** The items of a task, at most `limit` of them (the first ones, so a run is repeatable). */
export function loadItems(task: EvalTask): EvalItem[] {
  const items = task.type === 'mcq' ? mcqItems(task) : task.type === 'refusal' ? refusalItems(task) : qaItems(task);
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) item.id = `${item.id}#${seen.size}`;
    seen.add(item.id);
  }
  return task.limit ? items.slice(0, task.limit) : items;
}
