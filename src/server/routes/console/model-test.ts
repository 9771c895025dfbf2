import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { request as undiciRequest } from 'undici';
import { yumenError } from '../../../util/errors.ts';
import { allow, type AdminContext } from '../admin/context.ts';

const Body = Type.Object({
  provider: Type.String({ minLength: 1, maxLength: 64 }),
  base_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  api_key: Type.Optional(Type.String({ maxLength: 4096 })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
}, { additionalProperties: true });

const TIMEOUT_MS = 5_000;

/** Reads the first four bytes: every GGUF file starts with the magic "GGUF". */
async function isGguf(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    await handle.read(buf, 0, 4, 0);
    return buf.toString('latin1') === 'GGUF';
  } finally {
    await handle.close();
  }
}

/**
 * POST /api/console/models/test — the model form's "test connection" (sysadmin): an OpenAI-compatible
 * server must answer GET {base_url}/models; a local model must be a readable GGUF file. Answers
 * {"ok","detail","models"?}; a failed test is a normal answer (ok: false), not an error.
 */
export async function modelTestRoutes(app: FastifyInstance, { ctx }: { ctx: AdminContext }): Promise<void> {
  app.post<{ Body: Static<typeof Body> }>('/console/models/test', {
    preHandler: allow(ctx, 'model.write'),
    schema: { tags: ['console'], summary: 'Test a model configuration before saving it', body: Body },
  }, async (request) => {
    const b = request.body;
    if (b.provider === 'llama-cpp') {
      if (!b.path) throw yumenError('invalid_request', 'path: the GGUF file is required. / 请填写 GGUF 文件路径。', { param: 'path' });
      try {
        return (await isGguf(b.path)) ? { ok: true, detail: 'GGUF file found.' } : { ok: false, detail: 'The file is not a GGUF model.' };
      } catch (err) {
        return { ok: false, detail: `Cannot read the file: ${(err as NodeJS.ErrnoException).code ?? 'error'}.` };
      }
    }
    if (!b.base_url) throw yumenError('invalid_request', 'base_url: required. / 请填写服务地址。', { param: 'base_url' });
    let url: URL;
    try {
      url = new URL(`${b.base_url.replace(/\/+$/, '')}/models`);
    } catch {
      throw yumenError('invalid_request', 'base_url: not a URL. / 服务地址格式不正确。', { param: 'base_url' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw yumenError('invalid_request', 'base_url: must be http or https. / 服务地址须为 http 或 https。', { param: 'base_url' });
    try {
      const res = await undiciRequest(url, {
        method: 'GET', headers: b.api_key ? { authorization: `Bearer ${b.api_key}` } : {},
        headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, maxRedirections: 0,
      } as Parameters<typeof undiciRequest>[1]);
      const text = await res.body.text();
      if (res.statusCode >= 400) return { ok: false, detail: `The server answered HTTP ${res.statusCode}.` };
      let models: string[] = [];
      try { models = (JSON.parse(text).data ?? []).map((m: { id?: unknown }) => String(m.id)).slice(0, 50); } catch { /* not a model list */ }
      return { ok: true, detail: `Connected (HTTP ${res.statusCode}).`, models };
    } catch (err) {
      return { ok: false, detail: `Cannot connect: ${(err as Error).message}` };
    }
  });
}
