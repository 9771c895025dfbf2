import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { ModelConfig } from '../../../config/index.ts';
import type { ModelStore } from '../../../governance/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, type AdminContext } from './context.ts';
import { ListOf, Model, ModelCreate, ModelPatch, NameParams, Ok } from './schemas.ts';

const tags = ['models'];

export async function modelRoutes(app: FastifyInstance, { ctx }: { ctx: AdminContext }): Promise<void> {
  function store(): ModelStore {
    if (!ctx.models) throw yumenError('not_ready', 'No master key is configured, so models cannot be managed here. / 未配置主密钥，无法管理模型。');
    return ctx.models;
  }

  app.get('/models', {
    preHandler: allow(ctx, 'model.read'),
    schema: { tags, summary: 'Models of yumen.yaml and of the admin API (never their credentials)', response: { 200: ListOf(Model) } },
  }, async () => ({ data: await store().list() }));

  app.post<{ Body: Static<typeof ModelCreate> }>('/models', {
    preHandler: allow(ctx, 'model.write'),
    config: { action: 'admin.model.create' },
    schema: { tags, summary: 'Add a model; its api_key is stored SM4-encrypted. Served on every node within moments.', body: ModelCreate, response: { 201: Model } },
  }, async (request, reply) => {
    const created = await store().create(request.body as ModelConfig);
    await ctx.onChange?.('models');
    return reply.code(201).send(created);
  });

  app.get<{ Params: Static<typeof NameParams> }>('/models/:name', {
    preHandler: allow(ctx, 'model.read'),
    schema: { tags, summary: 'One model', params: NameParams, response: { 200: Model } },
  }, async (request) => {
    const m = await store().get(request.params.name);
    if (!m) throw yumenError('model_not_found', `No model "${request.params.name}". / 无此模型。`);
    return m;
  });

  app.patch<{ Params: Static<typeof NameParams>; Body: Static<typeof ModelPatch> }>('/models/:name', {
    preHandler: allow(ctx, 'model.write'),
    config: { action: 'admin.model.update' },
    schema: { tags, summary: 'Change a stored model; api_key: null removes its key', params: NameParams, body: ModelPatch, response: { 200: Model } },
  }, async (request) => {
    const m = await store().update(request.params.name, request.body as Record<string, unknown>);
    if (!m) throw yumenError('model_not_found', `No model "${request.params.name}". / 无此模型。`);
    await ctx.onChange?.('models');
    return m;
  });

  app.delete<{ Params: Static<typeof NameParams> }>('/models/:name', {
    preHandler: allow(ctx, 'model.write'),
    config: { action: 'admin.model.delete' },
    schema: { tags, summary: 'Remove a stored model', params: NameParams, response: { 200: Ok } },
  }, async (request) => {
    if (!(await store().delete(request.params.name))) throw yumenError('model_not_found', `No model "${request.params.name}". / 无此模型。`);
    await ctx.onChange?.('models');
    return { ok: true };
  });
}
