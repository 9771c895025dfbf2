import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Guard } from '../guard/index.ts';
import type { FeedbackRepository } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import { createCurator, type CurationStats, type MinRating } from './curate.ts';
import { DATASET_FORMATS, datasetInfoEntry, preferenceRow, sftRow, type DatasetFormat, type DatasetInfoEntry } from './formats.ts';

export interface ExportRequest {
  tenantId: string;
  format: DatasetFormat;
  minRating?: MinRating;
  /** Epoch milliseconds: exchanges captured at or after. */
  since?: number;
  app?: string;
  /** Dataset name: the file is `<name>.json`, preference pairs `<name>_dpo.json`. */
  name?: string;
}

export interface DatasetExport {
  name: string;
  /** File name → JSON content: `<name>.json`, `<name>_dpo.json` when there are corrections, `dataset_info.json`. */
  files: Record<string, unknown>;
  stats: CurationStats & { pairs: number };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const PAGE = 500;

/** Checks and defaults of an export request (for the CLI and the HTTP route alike). */
export function exportRequest(input: { tenantId: string; format: unknown; minRating?: unknown; since?: unknown; app?: unknown; name?: unknown }): ExportRequest {
  if (!DATASET_FORMATS.includes(input.format as DatasetFormat)) throw yumenError('invalid_request', `format: one of ${DATASET_FORMATS.join(', ')}. / 格式须为 alpaca 或 sharegpt。`, { param: 'format' });
  const minRating = input.minRating === undefined ? 0 : Number(input.minRating);
  if (minRating !== -1 && minRating !== 0 && minRating !== 1) throw yumenError('invalid_request', 'min_rating: one of -1, 0, 1. / 最低评分须为 -1、0 或 1。', { param: 'min_rating' });
  let since: number | undefined;
  if (input.since !== undefined && input.since !== null && input.since !== '') {
    const s = String(input.since);
    since = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
    if (!Number.isFinite(since)) throw yumenError('invalid_request', 'since: a date YYYY-MM-DD. / 起始日期格式须为 YYYY-MM-DD。', { param: 'since' });
  }
  const app = input.app === undefined || input.app === null || input.app === '' ? undefined : String(input.app);
  const name = input.name === undefined || input.name === null || input.name === '' ? `yumen_${app ?? 'chat'}`.replace(/[^A-Za-z0-9_.-]/g, '_') : String(input.name);
  if (!NAME.test(name) || name === 'dataset_info') throw yumenError('invalid_request', 'name: 1–64 letters, digits, "_", "." or "-". / 数据集名称格式不正确。', { param: 'name' });
  return { tenantId: input.tenantId, format: input.format as DatasetFormat, minRating: minRating as MinRating, since, app, name };
}

/**
 * The 场景精调 hand-off: a department's captured exchanges, curated (see createCurator), as LLaMA-Factory
 * files — the SFT set, the preference pairs from corrections, and dataset_info.json describing both.
 */
export async function buildDatasetExport(repo: FeedbackRepository, guard: Guard, req: ExportRequest): Promise<DatasetExport> {
  const name = req.name ?? 'yumen_chat';
  const curator = createCurator({ guard, minRating: req.minRating ?? 0 });
  const sft: Record<string, unknown>[] = [];
  const pairs: Record<string, unknown>[] = [];
  let after: { createdAt: number; id: string } | undefined;
  for (;;) {
    const page = await repo.exchanges({ tenantId: req.tenantId, since: req.since, app: req.app, after, limit: PAGE });
    for (const e of page) {
      const s = curator.add(e);
      if (!s) continue;
      sft.push(sftRow(req.format, s));
      if (s.rejected !== null) pairs.push(preferenceRow(req.format, { ...s, rejected: s.rejected }));
    }
    if (page.length < PAGE) break;
    after = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
  }
  const info: Record<string, DatasetInfoEntry> = { [name]: datasetInfoEntry(req.format, `${name}.json`, false) };
  const files: Record<string, unknown> = { [`${name}.json`]: sft };
  if (pairs.length) {
    info[`${name}_dpo`] = datasetInfoEntry(req.format, `${name}_dpo.json`, true);
    files[`${name}_dpo.json`] = pairs;
  }
  files['dataset_info.json'] = info;
  return { name, files, stats: { ...curator.stats, pairs: pairs.length } };
}

/** Writes the export's files into `dir` (created if needed). */
export async function writeDatasetFolder(dir: string, exp: DatasetExport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, content] of Object.entries(exp.files)) {
    const path = join(dir, file);
    await writeFile(path, `${JSON.stringify(content, null, 2)}\n`);
    written.push(path);
  }
  return written;
}
