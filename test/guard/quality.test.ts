import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCorpus } from '../../bench/guard-corpus.ts';
import { evaluate } from '../../bench/guard-quality.ts';
import { wilson } from '../../bench/ordinary-text.ts';

const STRUCTURED = ['cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'cn_uscc', 'email', 'ip_address', 'passport',
  'cn_permit', 'license_plate', 'secret', 'classified_marking', 'custom_term', 'source_code'];

test('generated corpus (fresh seed): precision and recall meet the targets', () => {
  const table = evaluate(generateCorpus(360, 4242));
  for (const [type, c] of table) {
    if (c.tp + c.fp + c.fn === 0) continue;
    const target = STRUCTURED.includes(type) ? 0.97 : 0.85;
    const p = c.tp / Math.max(1, c.tp + c.fp);
    const r = c.tp / Math.max(1, c.tp + c.fn);
    assert.ok(p >= target && r >= target, `${type}: precision ${p.toFixed(3)} recall ${r.toFixed(3)}`);
  }
});

test('the 95 % Wilson interval the quality tables print: 17 of 27 spans, none, all', () => {
  assert.equal(wilson(17, 27), '0.44–0.78');
  assert.equal(wilson(0, 10), '0.00–0.28');
  assert.equal(wilson(10, 10), '0.72–1.00');
  assert.equal(wilson(0, 0), '–');
});
