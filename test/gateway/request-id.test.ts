import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newRequestId } from '../../src/gateway/index.ts';

describe('request ids', () => {
  it('are req_ and 32 hex digits, unique, and sort by creation time', async () => {
    const ids = Array.from({ length: 10_000 }, newRequestId);
    for (const id of ids.slice(0, 100)) assert.match(id, /^req_[0-9a-f]{32}$/);
    assert.equal(new Set(ids).size, ids.length);
    const earlier = newRequestId();
    await new Promise((r) => setTimeout(r, 3));
    const later = newRequestId();
    assert.ok(earlier < later, `${earlier} should sort before ${later}`);
    // The first 12 hex digits are the creation time in epoch milliseconds.
    assert.ok(Math.abs(parseInt(later.slice(4, 16), 16) - Date.now()) < 1000);
  });
});
