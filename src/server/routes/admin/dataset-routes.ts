import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { buildDatasetExport, exportRequest } from '../../../flywheel/index.ts';
import type { Guard } from '../../../guard/index.ts';
import { inScope } from '../../../governance/index.ts';
import type { FeedbackRepository } from '../../../store/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, type AdminContext } from './context.ts';
import { Id } from './schemas.ts';

export interface DatasetRouteDeps {
  repo: FeedbackRepository;
  guardFor(tenant: { tenantId: string; tenantName: string }): Promise<Guard>;
}

const ExportBody = Type.Object({
  department_id: Id,
  format: Type.Union([Type.Literal('alpaca'), Type.Literal('sharegpt')]),
  min_rating: Type.Optional(Type.Union([Type.Literal(-1), Type.Literal(0), Type.Literal(1)])),
  since: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })),
  app: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
const ExportResult = Type.Object({
  name: Type.String(),
  files: Type.Record(Type.String(), Type.Unknown(), { description: 'file name → JSON content, as `yumen dataset export` writes them' }),
  stats: Type.Record(Type.String(), Type.Number()),
});

/** The flywheel's export over HTTP (for the console): the same files `yumen dataset export` writes. */
export async function datasetRoutes(app: FastifyInstance, { ctx, datasets }: { ctx: AdminContext; datasets: DatasetRouteDeps }): Promise<void> {
  app.post<{ Body: Static<typeof ExportBody> }>('/datasets/export', {
    preHandler: allow(ctx, 'dataset.export'),
    config: { action: 'admin.dataset.export' },
    schema: { tags: ['datasets'], summary: 'Curated training data of a department in LLaMA-Factory format (alpaca | sharegpt), personal data replaced', body: ExportBody, response: { 200: ExportResult } },
  }, async (request) => {
    const b = request.body;
    request.auditTenant = b.department_id;
    if (!inScope(request.scope!, b.department_id)) throw yumenError('forbidden', 'That department is outside your reach. / 无权导出该部门的数据。', { param: 'department_id' });
    const dept = await ctx.departments.findById(b.department_id);
    if (!dept) throw yumenError('invalid_request', 'department_id: no such department.', { param: 'department_id' });
    const req = exportRequest({ tenantId: dept.id, format: b.format, minRating: b.min_rating, since: b.since, app: b.app, name: b.name });
    const guard = await datasets.guardFor({ tenantId: dept.id, tenantName: dept.name });
    return buildDatasetExport(datasets.repo, guard, req);
  });
}
