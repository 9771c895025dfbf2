import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { EXPORT_COLUMNS, publicKeyFileOf, type AuditLog } from '../../../audit/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { allow, type AdminContext } from './context.ts';

/** What the audit routes need: the trail, and where its anchors and anchor key live. */
export interface AuditTrail {
  log: Pick<AuditLog, 'records' | 'verify' | 'export'>;
  anchorFile: string | null;
  anchorKeyFile: string | null;
}

const tags = ['audit'];
const RecordsQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$', description: '1–1000, default 100' })),
  after_seq: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'records with a larger seq (paging: the last seq of the previous page)' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'e.g. chat, admin.user.create, kb.share' })),
  department: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'department id' })),
}, { additionalProperties: false });
const Row = Type.Object(Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, c === 'findings' ? Type.Record(Type.String(), Type.Number()) : Type.Unknown()])));
const Records = Type.Object({ data: Type.Array(Row), next_after_seq: Type.Union([Type.Integer(), Type.Null()]) });
const Verify = Type.Object({
  intact: Type.Boolean(), records: Type.Integer(), broken_at: Type.Union([Type.Integer(), Type.Null()]), reason: Type.Union([Type.String(), Type.Null()]),
  anchors_checked: Type.Integer(), anchors_signed: Type.Boolean(),
});
const ExportQuery = Type.Object({
  from: Type.String({ pattern: '^[0-9]{1,15}$', description: 'epoch ms, inclusive' }),
  to: Type.String({ pattern: '^[0-9]{1,15}$', description: 'epoch ms, exclusive' }),
  format: Type.Optional(Type.Union([Type.Literal('jsonl'), Type.Literal('csv')])),
}, { additionalProperties: false });

/**
 * The audit trail for the auditor (安全审计员) alone: records with filters, a verification of the SM3 chain
 * against the anchor file (and its SM2 signatures when the public key is at hand), and an export.
 */
export async function auditRoutes(app: FastifyInstance, { ctx, trail }: { ctx: AdminContext; trail: AuditTrail }): Promise<void> {
  app.get<{ Querystring: Static<typeof RecordsQuery> }>('/audit/records', {
    preHandler: allow(ctx, 'audit.read'),
    schema: { tags, summary: 'Audit records in seq order (auditor only); page with after_seq', querystring: RecordsQuery, response: { 200: Records } },
  }, async (request) => {
    const limit = Number(request.query.limit ?? 100);
    const rows = await trail.log.records({ afterSeq: Number(request.query.after_seq ?? 0), limit, action: request.query.action, tenantId: request.query.department });
    return { data: rows.map((r) => ({ ...r, findings: JSON.parse(r.findings) as Record<string, number> })), next_after_seq: rows.length === limit ? rows[rows.length - 1].seq : null };
  });

  app.get('/audit/verify', {
    preHandler: allow(ctx, 'audit.read'),
    schema: { tags, summary: 'Walk the SM3 chain and check the anchors (auditor only)', response: { 200: Verify } },
  }, async () => {
    const pubFile = trail.anchorKeyFile ? publicKeyFileOf(trail.anchorKeyFile) : null;
    const publicKeyPem = pubFile && existsSync(pubFile) ? readFileSync(pubFile, 'utf8') : null;
    const anchorFile = trail.anchorFile && existsSync(trail.anchorFile) ? trail.anchorFile : null;
    const v = await trail.log.verify({ anchorFile, publicKeyPem: anchorFile ? publicKeyPem : null });
    return v.ok
      ? { intact: true, records: v.records, broken_at: null, reason: null, anchors_checked: v.externalAnchorsChecked, anchors_signed: !!(anchorFile && publicKeyPem) }
      : { intact: false, records: v.records, broken_at: v.seq, reason: v.reason, anchors_checked: 0, anchors_signed: !!(anchorFile && publicKeyPem) };
  });

  app.get<{ Querystring: Static<typeof ExportQuery> }>('/audit/export', {
    preHandler: allow(ctx, 'audit.read'),
    config: { action: 'audit.export' },
    schema: { tags, summary: 'Export records with from ≤ time < to as JSON lines or CSV (auditor only; the export itself is audited)', querystring: ExportQuery },
  }, async (request, reply) => {
    const from = Number(request.query.from);
    const to = Number(request.query.to);
    if (to < from) throw yumenError('invalid_request', 'to: must not be before from.', { param: 'to' });
    const format = request.query.format ?? 'jsonl';
    reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="yumen-audit-${from}-${to}.${format}"`);
    reply.header('cache-control', 'no-store');
    return reply.send(Readable.from(trail.log.export({ from, to, format })));
  });
}
