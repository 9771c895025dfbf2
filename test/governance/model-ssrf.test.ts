/**
 * Regression (issue 12, item 9): a model added through the admin API could point at loopback, link-local or
 * metadata addresses (SSRF), and policy.air_gapped was enforced only at start.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startFixture, type Client, type Fixture } from './helpers.ts';

const model = (name: string, base_url: string, zone = 'private') => ({ name, provider: 'openai-compatible', zone, base_url });

describe('models added through the admin API', () => {
  let f: Fixture;
  let sys: Client;
  before(async () => {
    f = await startFixture('sqlite', {}, {}, { policy: { air_gapped: true } });
    sys = await loginAs(f.url, 'sys');
  });
  after(async () => f?.close());

  it('refuses loopback, link-local and metadata base URLs (model and backends), on create and on update', async () => {
    const bad = ['http://127.0.0.1:11434/v1', 'http://127.8.9.10/v1', 'http://[::1]:8000/v1', 'http://169.254.169.254/latest', 'http://localhost:8000/v1', 'http://[::ffff:127.0.0.1]/v1', 'http://0.0.0.0:80/v1', 'http://[fe80::1]/v1'];
    for (const [i, url] of bad.entries()) {
      const r = await sys.req('POST', '/api/models', model(`ssrf-${i}`, url));
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'ssrf_blocked');
      assert.equal(r.body.error.param, 'base_url');
    }
    const pool = await sys.req('POST', '/api/models', { name: 'pool', provider: 'openai-compatible', zone: 'private', model: 'q', backends: [{ base_url: 'http://10.0.0.5:8000/v1' }, { base_url: 'http://169.254.169.254/v1' }] });
    assert.equal(pool.status, 400);
    assert.equal(pool.body.error.param, 'backends[1].base_url');
    assert.equal((await sys.req('POST', '/api/models', model('intranet', 'http://10.0.0.5:8000/v1'))).status, 201, 'intranet servers are the point');
    const moved = await sys.req('PATCH', '/api/models/intranet', { base_url: 'http://127.0.0.1:9/v1' });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.error.code, 'ssrf_blocked');
  });

  it('enforces policy.air_gapped when a model is added or changed through the API', async () => {
    const ext = await sys.req('POST', '/api/models', model('cloud', 'https://api.example.com/v1', 'external'));
    assert.equal(ext.status, 400, JSON.stringify(ext.body));
    assert.equal(ext.body.error.param, 'zone');
    assert.equal((await sys.req('PATCH', '/api/models/intranet', { zone: 'external' })).status, 400);
  });
});
