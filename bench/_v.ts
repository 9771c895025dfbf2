import Database from 'better-sqlite3';
import { createSegmenter } from '../src/knowledge/index.ts';
import { source } from './retrieval-scale.ts';
const db = new Database(process.argv[2]);
db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts_row USING fts5vocab(kb_fts, 'row')`);
const seg = createSegmenter();
const qs = source()!.queries.slice(0, 300);
const t0 = performance.now();
let n = 0;
for (const q of qs) {
  const t = seg.query(q);
  const terms = [...new Set([...t.words, ...t.grams])];
  const r = db.prepare(`SELECT term, doc FROM kb_fts_row WHERE term IN (${terms.map(() => '?').join(',')})`).all(...terms);
  n += r.length;
}
console.log('IN lookup ms/q', ((performance.now() - t0) / qs.length).toFixed(3), n);
const one = db.prepare(`SELECT doc FROM kb_fts_row WHERE term = ?`);
const t1 = performance.now();
for (const q of qs) { const t = seg.query(q); for (const x of new Set([...t.words, ...t.grams])) one.get(x); }
console.log('= lookups ms/q', ((performance.now() - t1) / qs.length).toFixed(3));
console.log(db.prepare(`EXPLAIN QUERY PLAN SELECT doc FROM kb_fts_row WHERE term = ?`).all('x'));
