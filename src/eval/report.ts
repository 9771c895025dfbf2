import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemRecord, SuiteResults } from './runner.ts';

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const COLORS = ['#1677ff', '#fa8c16', '#52c41a', '#eb2f96', '#722ed1', '#13c2c2'];

/** A grouped bar chart as inline SVG: one group per task, one bar per model (works offline, no script). */
function chart(results: SuiteResults): string {
  const models = Object.keys(results.models);
  const tasks = Object.keys(results.models[models[0]] ?? {});
  const barW = 22;
  const groupW = models.length * barW + 28;
  const h = 180;
  const groupW2 = Math.max(groupW, 130);
  const width = Math.max(320, 60 + tasks.length * groupW2);
  const bars = tasks.map((task, ti) => models.map((m, mi) => {
    const score = results.models[m][task]?.score ?? 0;
    const x = 60 + ti * groupW2 + (groupW2 - models.length * barW) / 2 + mi * barW;
    const bh = Math.round(score * h);
    return `<rect x="${x}" y="${20 + h - bh}" width="${barW - 4}" height="${bh}" fill="${COLORS[mi % COLORS.length]}"><title>${esc(m)} · ${esc(task)}: ${pct(results.models[m][task]?.score ?? null)}</title></rect>`;
  }).join('') + `<text x="${60 + ti * groupW2 + groupW2 / 2}" y="${h + 38}" text-anchor="middle" font-size="12">${esc(task)}</text>`).join('');
  const grid = [0, 0.5, 1].map((v) => `<line x1="45" x2="${width}" y1="${20 + h - v * h}" y2="${20 + h - v * h}" stroke="#ddd"/><text x="40" y="${24 + h - v * h}" text-anchor="end" font-size="11">${v * 100}%</text>`).join('');
  const legend = models.map((m, mi) => `<span class="key"><i style="background:${COLORS[mi % COLORS.length]}"></i>${esc(m)}</span>`).join('');
  return `<svg role="img" aria-label="scores" width="${width}" height="${h + 50}">${grid}${bars}</svg><div>${legend}</div>`;
}

function table(results: SuiteResults): string {
  const models = Object.keys(results.models);
  const tasks = Object.keys(results.models[models[0]] ?? {});
  const head = `<tr><th>任务 Task</th><th>指标 Metric</th>${models.map((m) => `<th>${esc(m)}</th>`).join('')}</tr>`;
  const rows = tasks.map((task) => {
    const first = results.models[models[0]][task];
    const cells = models.map((m) => {
      const r = results.models[m][task];
      const flag = r.pass === undefined ? '' : r.pass ? ' <b class="ok">达标 pass</b>' : ' <b class="bad">未达标 fail</b>';
      return `<td>${pct(r.score)}${flag}<br><small>n=${r.n}${r.errors ? `, errors=${r.errors}` : ''}${r.method ? `, ${esc(r.method)}` : ''}</small></td>`;
    }).join('');
    return `<tr><td>${esc(task)}</td><td>${esc(first.metric)}${first.target ? `<br><small>target ${esc(first.target)}</small>` : ''}</td>${cells}</tr>`;
  }).join('');
  return `<table>${head}${rows}</table>`;
}

function categories(results: SuiteResults): string {
  const parts: string[] = [];
  for (const [model, tasks] of Object.entries(results.models)) {
    for (const [task, r] of Object.entries(tasks)) {
      if (!r.categories) continue;
      const rows = Object.entries(r.categories).map(([c, v]) => `<tr><td>${esc(c)}</td><td>${v.n}</td><td>${pct(v.score)}</td></tr>`).join('');
      parts.push(`<h3>${esc(model)} · ${esc(task)}</h3><table><tr><th>风险类别 Category</th><th>n</th><th>拒答率 Refusal rate</th></tr>${rows}</table>`);
    }
  }
  return parts.length ? `<h2>按风险类别 By risk category (TC260-003)</h2>${parts.join('')}` : '';
}

/** Items where the models did not all score the same: their answers side by side. */
function disagreements(results: SuiteResults, records: ItemRecord[], max = 200): string {
  const models = Object.keys(results.models);
  if (models.length < 2) return '';
  const byItem = new Map<string, Map<string, ItemRecord>>();
  for (const r of records) {
    const key = `${r.task}\u0000${r.item}`;
    if (!byItem.has(key)) byItem.set(key, new Map());
    byItem.get(key)!.set(r.model, r);
  }
  const rows: string[] = [];
  let total = 0;
  for (const recs of byItem.values()) {
    const scores = new Set(models.map((m) => recs.get(m)?.score ?? null));
    if (scores.size < 2) continue;
    total++;
    if (rows.length >= max) continue;
    const any = [...recs.values()][0];
    const cells = models.map((m) => {
      const r = recs.get(m);
      const shown = r?.error ? `⚠ ${r.error}` : r?.refused === 'gateway' ? `（玉门拒绝 refused by Yumen: ${r.refusal_code}）` : r?.answer ?? '';
      return `<td class="${r?.score === 1 ? 'ok' : r?.score === 0 ? 'bad' : ''}">${esc(r?.choice ? `[${r.choice}] ` : '')}${esc(shown.slice(0, 400))}</td>`;
    }).join('');
    rows.push(`<tr><td>${esc(any.task)}<br><small>#${esc(any.item)}</small></td><td><details><summary>${esc(any.prompt.slice(-80))}</summary><pre>${esc(any.prompt)}</pre></details><small>expected: ${esc(any.expected)}</small></td>${cells}</tr>`);
  }
  if (!total) return '<h2>分歧 Disagreements</h2><p>所有模型在每一题上得分相同。The models scored every item alike.</p>';
  return `<h2>分歧 Disagreements (${total}${total > max ? `, first ${max} shown` : ''})</h2><table><tr><th>任务 Task</th><th>题目 Item</th>${models.map((m) => `<th>${esc(m)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

export function renderReport(results: SuiteResults, records: ItemRecord[]): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(results.suite)} — 玉门评测 Yumen evaluation</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}th,td{border:1px solid #ddd;padding:6px 10px;vertical-align:top;text-align:left;max-width:420px}th{background:#f5f5f5}td.ok{background:#f6ffed}td.bad{background:#fff1f0}b.ok{color:#389e0d}b.bad{color:#cf1322}.key{margin-right:16px;font-size:13px}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}pre{white-space:pre-wrap;font-size:12px}small{color:#666}</style></head>
<body><h1>${esc(results.suite)}</h1><p>部门 Department: <b>${esc(results.tenant)}</b> · ${esc(results.created)} · 所有调用经过玉门网关（守卫、策略、限额、审计）All calls went through the Yumen gateway (guard, policy, limits, audit).</p>
<h2>得分 Scores</h2>${chart(results)}${table(results)}${categories(results)}${disagreements(results, records)}</body></html>`;
}

/** Writes results.json, items.jsonl and the self-contained report.html into `dir`. */
export function writeReport(dir: string, results: SuiteResults, records: ItemRecord[]): { results: string; items: string; report: string } {
  mkdirSync(dir, { recursive: true });
  const files = { results: join(dir, 'results.json'), items: join(dir, 'items.jsonl'), report: join(dir, 'report.html') };
  writeFileSync(files.results, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files.items, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  writeFileSync(files.report, renderReport(results, records));
  return files;
}
