/**
 * Retrieval runs after the guard: a classified question is refused before the embedding model, the
 * reranker or the chat model is called, and retrieval models are models with a zone that the policy
 * governs — an external embedding or rerank model receives the question (and the passages) only
 * pseudonymized. All models are real HTTP servers recording what they receive.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { buildPolicySet } from '../../src/policy/index.ts';
import { impliedKnowledgeModels } from '../../src/knowledge/index.ts';

const PHONE = '13800138000';
const NAME = '张伟';

describe('knowledge retrieval after the guard, with embedding and rerank models in the registry', () => {
  let chat: MockUpstream;
  let retrieval: MockUpstream;
  let y: TestYumen;
  let key: string;
  const post = async (path: string, body: unknown) => {
    const res = await request(`${y.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(await res.body.text()) };
  };
  const retrievalCalls = (path: string) => retrieval.requests.filter((r) => r.path.endsWith(path));

  before(async () => {
    chat = await startMockUpstream();
    retrieval = await startMockUpstream();
    retrieval.setDefault((req: RecordedRequest) => req.path.endsWith('/rerank')
      ? { json: { results: (req.body.documents as string[]).map((_d, index) => ({ index, relevance_score: 1 / (index + 1) })) } }
      : {});
    y = await startTestYumen({
      models: [
        { name: 'cloud', provider: 'openai-compatible', base_url: chat.baseUrl, zone: 'external' },
        { name: 'cloud-embed', provider: 'openai-compatible', base_url: retrieval.baseUrl, zone: 'external', type: 'embeddings' },
        { name: 'cloud-rerank', provider: 'openai-compatible', base_url: retrieval.baseUrl, zone: 'external', type: 'rerank' },
      ],
      extra: { knowledge: { embedding_model: 'cloud-embed', allow_external_embeddings: true, rerank: 'cloud-rerank' } },
    });
    key = await y.key('财政局');
    const api = (method: string, path: string, body: unknown) => request(`${y.url}${path}`, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
    assert.equal((await api('POST', '/api/kb', { name: 'rules' })).statusCode, 201);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const up = await api('POST', '/api/kb/rules/documents', { files: [
      { name: '差旅.txt', content_base64: b64('第二条 出差住宿费标准为每人每天五百元。') },
      { name: '通讯录.txt', content_base64: b64(`财务处住宿费报销联系人${NAME}，手机${PHONE}。`) },
    ] });
    const { batch_id: batch } = (await up.body.json()) as { batch_id: string };
    for (let i = 0; i < 200; i++) {
      const r = await request(`${y.url}/api/kb/rules/jobs/${batch}`, { headers: { authorization: `Bearer ${key}` } });
      if (((await r.body.json()) as { done: boolean }).done) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => {
    await y.stop();
    await chat.close();
    await retrieval.close();
  });

  it('refuses a classified question before the embedding, rerank or chat model is called', async () => {
    const before = retrieval.requests.length;
    const chatBefore = chat.requests.length;
    const res = await post('/v1/chat/completions', { model: 'cloud', knowledge_bases: ['rules'], messages: [{ role: 'user', content: '机密★5年 的住宿费标准是多少？' }] });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'classified_content');
    assert.equal(res.headers['x-yumen-level'], 'classified');
    assert.equal(retrieval.requests.length, before, 'no embedding or rerank call');
    assert.equal(chat.requests.length, chatBefore, 'no chat call');
  });

  it('sends the question and the passages to external retrieval models only pseudonymized', async () => {
    const embedBefore = retrievalCalls('/embeddings').length;
    const rerankBefore = retrievalCalls('/rerank').length;
    const res = await post('/v1/chat/completions', { model: 'cloud', knowledge_bases: ['rules'], messages: [{ role: 'user', content: `我是${NAME}，手机${PHONE}，住宿费标准是多少？` }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const embeds = retrievalCalls('/embeddings').slice(embedBefore);
    const reranks = retrievalCalls('/rerank').slice(rerankBefore);
    assert.equal(embeds.length, 1, 'the question was embedded');
    assert.ok(reranks.length >= 1, 'the candidates were reranked');
    for (const r of [...embeds, ...reranks, chat.requests.at(-1)!]) {
      const seen = JSON.stringify(r.body);
      assert.ok(!seen.includes(PHONE) && !seen.includes(NAME), `raw value reached ${r.path}: ${seen.slice(0, 300)}`);
    }
    assert.match(JSON.stringify(embeds[0].body.input), /〔手机号_\d+〕/);
    // The passage with the contact was among the reranked documents, pseudonymized.
    assert.ok(reranks.some((r) => JSON.stringify(r.body.documents).includes('〔')), 'passages pseudonymized for the external reranker');
  });

  it('air-gapped mode covers embedding and rerank models, the legacy rerank form included', () => {
    const embed = [{ name: 'e', zone: 'external' as const }];
    assert.match(buildPolicySet({ air_gapped: true }, embed).problems.join('\n'), /"e" is zone external/);
    const legacy = impliedKnowledgeModels({ knowledge: { rerank: { base_url: 'http://10.0.0.1/v1', model: 'r', zone: 'external' } } });
    assert.match(buildPolicySet({ air_gapped: true }, legacy).problems.join('\n'), /knowledge-rerank" is zone external/);
    assert.deepEqual(buildPolicySet({ air_gapped: true }, impliedKnowledgeModels({ knowledge: { rerank: { base_url: 'http://10.0.0.1/v1', model: 'r' } } })).problems, [], 'private by default');
  });
});
