/**
 * False secrets on ordinary code: the JavaScript/TypeScript sources of the installed dependencies
 * (node_modules, sorted walk, up to --mb MB; hashes, UUIDs, base64 test data and minified code, no real
 * credentials), scanned in 64 KB pieces. Reports secret findings per MB by detector and prints those of
 * the credential-pair detector (secrets.pair) for checking by hand.
 * Run: npm run bench:code-secrets [-- --mb N]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGuard } from '../src/guard/index.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '20' } } });
const limit = Number(values.mb) * 1e6;
const root = join(import.meta.dirname, '../node_modules');
const files: string[] = [];
let total = 0;
function walk(dir: string): void {
  if (total >= limit) return;
  for (const name of readdirSync(dir).sort()) {
    if (total >= limit) return;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) walk(p);
    else if (/\.(?:[cm]?js|ts)$/.test(name) && !name.endsWith('.d.ts') && st.size < 2e6) { files.push(p); total += st.size; }
  }
}
walk(root);
const guard = createGuard();
const byDetector = new Map<string, number>();
let bytes = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  bytes += Buffer.byteLength(text);
  for (let at = 0; at < text.length; at += 65536) {
    const piece = text.slice(at, at + 65536);
    for (const x of guard.scan(piece).findings) {
      if (x.type !== 'secret') continue;
      byDetector.set(x.detector, (byDetector.get(x.detector) ?? 0) + 1);
      if (x.detector === 'secrets.pair') console.log(`pair: ${f.slice(root.length + 1)}: ${JSON.stringify(piece.slice(Math.max(0, x.start - 60), x.end + 10))}`);
    }
  }
}
console.log(`${files.length} files, ${(bytes / 1e6).toFixed(1)} MB of code`);
for (const [d, n] of byDetector) console.log(`${d}: ${n} secret findings (${(n / (bytes / 1e6)).toFixed(2)} per MB)`);
if (!byDetector.has('secrets.pair')) console.log('secrets.pair: 0 secret findings');
