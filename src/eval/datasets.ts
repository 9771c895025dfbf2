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

function jsonl(file: string, what: string): Array<{ line: number; value: Record<string, unknown> }> {
  const out: Array<{ line: number; value: Record<string, unknown> }> = [];
  read(file, what).split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new SuiteError(`${what}: ${file}:${i + 1} is not valid JSON`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SuiteError(`${what}: ${file}:${i + 1} is not a JSON object`);
    out.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  return out;
}

function mcqQuestions(file: string, what: string): Array<McqQuestion & { id: string }> {
  return csvRecords(read(file, what)).map((r, i) => {
    const missing = ['Question', ...CHOICES].filter((k) => r[k] === undefined);
    if (missing.length) throw new SuiteError(`${what}: ${file} has no column ${missing.join(', ')} (CMMLU format: ,Question,A,B,C,D,Answer)`);
    const answer = r.Answer?.trim().toUpperCase();
    return {
      id: r[''] || String(i),
      question: r.Question,
      options: { A: r.A, B: r.B, C: r.C, D: r.D },
      answer: (CHOICES as readonly string[]).includes(answer) ? (answer as Choice) : null,
    };
  });
}

function mcqItems(task: McqTask): EvalItem[] {
  const what = `task "${task.name}"`;
  const shots = task.dev ? mcqQuestions(task.dev, what).filter((q) => q.answer).slice(0, task.shots) : [];
  return mcqQuestions(task.dataset, what).map((q) => {
    if (!q.answer) throw new SuiteError(`${what}: item ${q.id} of ${task.dataset} has no answer letter A–D`);
    return { id: q.id, prompt: mcqPrompt(task.subject, shots, q), choice: q.answer };
  });
}

const PROMPT_COLUMNS = ['prompt', 'query', 'question_zh', 'question'];

function refusalItems(task: RefusalTask): EvalItem[] {
  const what = `task "${task.name}"`;
  if (extname(task.dataset).toLowerCase() === '.csv') {
    const rows = csvRecords(read(task.dataset, what));
    const columns = rows.length ? Object.keys(rows[0]) : [];
    const column = task.column ?? PROMPT_COLUMNS.find((c) => columns.includes(c));
    if (!column || !columns.includes(column)) throw new SuiteError(`${what}: ${task.dataset} has no prompt column${task.column ? ` "${task.column}"` : ''} (columns: ${columns.join(', ')}); name it with column:`);
    const category = task.category_column ?? (columns.includes('一级领域') ? '一级领域' : undefined);
    return rows.filter((r) => r[column]?.trim()).map((r, i) => ({ id: r[''] || String(i), prompt: r[column], category: category ? r[category] || undefined : undefined }));
  }
  return jsonl(task.dataset, what).map(({ line, value }) => {
    const prompt = value[task.column ?? 'prompt'];
    if (typeof prompt !== 'string' || !prompt.trim()) throw new SuiteError(`${what}: ${task.dataset}:${line} has no "${task.column ?? 'prompt'}" string`);
    const category = value[task.category_column ?? 'category'];
    return { id: typeof value.id === 'string' || typeof value.id === 'number' ? String(value.id) : String(line), prompt, category: typeof category === 'string' ? category : undefined };
  });
}

function qaItems(task: QaTask): EvalItem[] {
  const what = `task "${task.name}"`;
  return jsonl(task.dataset, what).map(({ line, value }) => {
    const { question, answer } = value;
    const references = typeof answer === 'string' ? [answer] : Array.isArray(answer) ? answer.filter((a): a is string => typeof a === 'string') : [];
    if (typeof question !== 'string' || !question.trim() || references.length === 0) throw new SuiteError(`${what}: ${task.dataset}:${line} needs "question" and "answer" (a string or a list of strings)`);
    if (task.metric === 'regex') {
      for (const r of references) {
        try {
          new RegExp(r, 'u');
        } catch (err) {
          throw new SuiteError(`${what}: ${task.dataset}:${line}: answer is not a valid regular expression (${(err as Error).message})`);
        }
      }
    }
    return { id: typeof value.id === 'string' || typeof value.id === 'number' ? String(value.id) : String(line), prompt: question, question, references };
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
