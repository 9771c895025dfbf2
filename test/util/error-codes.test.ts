import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, YumenError } from '../../src/util/errors.ts';

describe('the error catalogue', () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  /** Rows of the error-code table: `code` | status | type | 中文 | English. */
  const rows = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| ([a-z_]+) \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => [m[1], { status: Number(m[2]), type: m[3] }]));

  it('documents every code in docs/api.md, with its status and type, in both languages', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      assert.deepEqual(rows.get(code), { status: spec.status, type: spec.type }, `docs/api.md documents ${code} as ${spec.status} ${spec.type}`);
    }
    for (const code of rows.keys()) assert.ok(Object.hasOwn(ERROR_CODES, code), `docs/api.md lists ${code}, which the catalogue does not have`);
  });

  it('gives every error made from a code that code\'s status, whatever the caller passes', () => {
    for (const code of Object.keys(ERROR_CODES) as Array<keyof typeof ERROR_CODES>) {
      // A status override is not part of the API any more; a stray one must not change the status.
      const err = new YumenError(code, 'x', { status: 418 } as never);
      assert.equal(err.status, ERROR_CODES[code].status);
    }
  });
});
