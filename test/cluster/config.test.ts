import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { validateLimitsConfig } from '../../src/governance/limits/index.ts';
import { redisPrefix } from '../../src/cluster/index.ts';

function file(yaml: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'yumen-cfg-')), 'yumen.yaml');
  writeFileSync(f, yaml);
  return f;
}

test('redis.prefix: the default, a chosen one, and one that could split a key or channel name is refused', () => {
  assert.equal(redisPrefix(loadConfig({ file: file('redis: { url: "redis://r:6379" }\n'), env: {} })), 'yumen:');
  assert.equal(redisPrefix(loadConfig({ file: file('redis: { url: "redis://r:6379", prefix: "gov-a:" }\n'), env: {} })), 'gov-a:');
  for (const bad of ['"a b"', '"*"', '42', '""']) {
    assert.throws(() => loadConfig({ file: file(`redis: { url: "redis://r:6379", prefix: ${bad} }\n`), env: {} }),
      (err: unknown) => err instanceof ConfigError && /redis\.prefix/.test(err.message), bad);
  }
});

test('limits.queue.lease_ms is known and must be at least a second', () => {
  assert.deepEqual(validateLimitsConfig({ limits: { queue: { lease_ms: 5000 } } } as never), []);
  for (const bad of [-1, 0, 500, 1.5e3 + 0.5]) assert.match(validateLimitsConfig({ limits: { queue: { lease_ms: bad } } } as never).join('\n'), /limits\.queue\.lease_ms/);
  assert.match(validateLimitsConfig({ limits: { queue: { lease: 5 } } } as never).join('\n'), /unknown key/);
});
