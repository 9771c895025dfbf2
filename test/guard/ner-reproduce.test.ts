import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NER_MODEL_FILE } from '../../src/guard/detectors/ner.ts';
import { datasetsDir } from '../../bench/ner-data.ts';

// The committed model must be what `npm run train:ner` makes from the public corpora with today's code: a change to
// the features, the word lists, the cue words or the generated corpus changes the model the script makes, and then
// the committed file is no longer reproducible (it was not, from 2026-12-06 until this test). About a minute of CPU;
// skipped where ../shared/datasets is absent.
const dir = datasetsDir();

test('the committed tagger is exactly what npm run train:ner makes from the corpora', { skip: dir === null && 'no ../shared/datasets' }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'yumen-ner-full-'));
  try {
    const out = join(tmp, 'model.bin.gz');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../bench/train-ner.ts'), '--quiet', '--out', out],
      { encoding: 'utf8', env: { ...process.env, YUMEN_DATASETS: dir! } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readFileSync(out).equals(readFileSync(NER_MODEL_FILE)),
      'src/guard/data/ner-model.bin.gz differs from what npm run train:ner makes now: retrain, measure and commit the model');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
