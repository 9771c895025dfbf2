import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { KeyAuthenticator, Principal } from '../../governance/index.ts';
import type { JobWorker, KnowledgeService } from '../../knowledge/index.ts';
import { yumenError } from '../../util/errors.ts';
import { bearerAuth } from '../plugins/auth.ts';
import type { AuditSink } from '../../gateway/ports.ts';
import { registerAuditHook } from '../plugins/audit-hook.ts';

export interface KbRoutesOptions {
  service: KnowledgeService;
  authenticator: KeyAuthenticator;
  /** The background ingest worker, woken when uploads arrive. */
  worker?: JobWorker | null;
  /** Largest upload in bytes (default: knowledge.max_file_bytes). */
  maxUploadBytes?: number;
  /** Every state-changing request (create, upload, delete, share — sharing moves data between departments) is recorded. */
  audit?: AuditSink;
  /** Where the routes live (default /api/kb); the console mounts a second copy signed in by session. */
  basePath?: string;
  /** Sets request.principal; default: the bearer API key on /api/kb routes. */
  authenticate?: (request: FastifyRequest) => Promise<void>;
}

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const CreateBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), description: Type.Optional(Type.String({ maxLength: 1000 })) });
const SearchBody = Type.Object({ query: Type.String({ minLength: 1, maxLength: 4000 }), top_k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })), mode: Type.Optional(Type.Union([Type.Literal('fulltext'), Type.Literal('hybrid')])) });
const UploadJson = Type.Object({ files: Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }), content_base64: Type.String() }), { minItems: 1, maxItems: 1000 }) });
const ShareBody = Type.Object({ department: Type.String({ minLength: 1, maxLength: 200 }) });
const WordsBody = Type.Object({ words: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 1, maxItems: 10000 }) });

const principalOf = (request: FastifyRequest): Principal => {
  if (!request.principal) throw yumenError('missing_api_key', 'Authentication required.');
  return request.principal;
};

/**
 * Knowledge-base API under /api/kb, authenticated with the same bearer API keys as /v1: the key's department
 * owns what it creates; another department reads a base only when it was shared explicitly.
 */
export function kbRoutes(opts: KbRoutesOptions) {
  const { service } = opts;
  const maxUpload = opts.maxUploadBytes ?? service.settings.maxFileBytes;
  return async function kbPlugin(app: FastifyInstance): Promise<void> {
    const base = opts.basePath ?? '/api/kb';
    app.addHook('preHandler', opts.authenticate ?? (async (request) => {
      if (request.url.startsWith('/api/kb')) await bearerAuth(opts.authenticator)(request);
    }));
    if (opts.audit) registerAuditHook(app, opts.audit, { prefix: 'kb', who: (request) => ({ actor: request.principal?.keyId ? `key:${request.principal.keyId}` : null, tenantId: request.principal?.tenantId ?? null }) });
    // Raw uploads: POST /api/kb/NAME/documents?filename=政策.pdf with the file as the body.
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: maxUpload }, (_req, body, done) => done(null, body));

    app.get(base, async (request) => ({ object: 'list', data: await service.listBases(principalOf(request)) }));

    app.post<{ Body: Static<typeof CreateBody> }>(base, { config: { action: 'kb.create' }, schema: { body: CreateBody } }, async (request, reply) => {
      const p = principalOf(request);
      const kb = await service.createBase({ tenant: p.tenantName, name: request.body.name, description: request.body.description }, p);
      return reply.code(201).send(kb);
    });

    app.get<{ Params: Static<typeof NameParams> }>(`${base}/:name`, { schema: { params: NameParams } }, async (request) => {
      const p = principalOf(request);
      const kb = await service.resolve(p, request.params.name, 'read');
      return { ...kb, documents: await service.listDocuments(p, kb.name) };
    });

    app.delete<{ Params: Static<typeof NameParams> }>(`${base}/:name`, { config: { action: 'kb.delete' }, schema: { params: NameParams } }, async (request, reply) => {
      await service.deleteBase(principalOf(request), request.params.name);
      return reply.code(204).send();
    });

    app.post<{ Params: Static<typeof NameParams>; Querystring: { filename?: string } }>(`${base}/:name/documents`, { config: { action: 'kb.upload' }, schema: { params: NameParams }, bodyLimit: Math.ceil(maxUpload * 1.4) }, async (request, reply) => {
      const p = principalOf(request);
      let files: Array<{ source: string; content: Uint8Array }>;
      if (Buffer.isBuffer(request.body)) {
        const filename = request.query.filename;
        if (!filename) throw yumenError('invalid_request', 'Send ?filename=NAME with a raw upload.', { param: 'filename' });
        files = [{ source: filename, content: request.body }];
      } else {
        const body = request.body as Static<typeof UploadJson>;
        if (!Array.isArray(body?.files)) throw yumenError('invalid_request', "Send {\"files\":[{\"name\",\"content_base64\"}]} or a raw body with ?filename=.", { param: 'files' });
        files = body.files.map((f) => ({ source: String(f.name), content: Buffer.from(String(f.content_base64), 'base64') }));
      }
      for (const f of files) if (f.content.byteLength > maxUpload) throw yumenError('body_too_large', `${f.source} is larger than knowledge.max_file_bytes.`);
      const batch = await service.enqueue(p, request.params.name, files.map((f) => ({ source: f.source, content: f.content })));
      opts.worker?.kick();
      return reply.code(202).send({ batch_id: batch, status_url: `${base}/${encodeURIComponent(request.params.name)}/jobs/${batch}`, progress: await service.progress(batch) });
    });

    app.get<{ Params: { name: string; batch: string } }>(`${base}/:name/jobs/:batch`, async (request) => {
      const kb = await service.resolve(principalOf(request), request.params.name, 'read');
      // A batch belongs to its base: another base's URL (even one the caller may read) does not show it.
      const jobs = (await service.listJobs(request.params.batch)).filter((j) => j.kb_id === kb.id);
      if (!jobs.length) throw yumenError('not_found', 'No such ingest batch in this knowledge base. / 该知识库中无此导入批次。');
      const progress = await service.progress(request.params.batch);
      return { batch_id: request.params.batch, done: progress.queued + progress.running === 0, progress, jobs: jobs.map((j) => ({ id: j.id, name: j.name, status: j.status, error: j.error, document_id: j.document_id })) };
    });

    app.delete<{ Params: { name: string; id: string } }>(`${base}/:name/documents/:id`, { config: { action: 'kb.document.delete' } }, async (request, reply) => {
      await service.deleteDocument(principalOf(request), request.params.name, request.params.id);
      return reply.code(204).send();
    });

    app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof SearchBody> }>(`${base}/:name/search`, { config: { action: 'kb.search' }, schema: { params: NameParams, body: SearchBody } }, async (request) => {
      const results = await service.search(principalOf(request), request.params.name.split(','), request.body.query, { topK: request.body.top_k ?? 5, mode: request.body.mode });
      return { results: results.map((r) => ({ document: r.document, chunk: r.chunk, score: r.score, text: r.text, page: r.page, kb: r.kb, heading: r.heading })) };
    });

    app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof ShareBody> }>(`${base}/:name/shares`, { config: { action: 'kb.share' }, schema: { params: NameParams, body: ShareBody } }, async (request) =>
      service.share(principalOf(request), request.params.name, request.body.department, true));

    app.delete<{ Params: { name: string; department: string } }>(`${base}/:name/shares/:department`, { config: { action: 'kb.unshare' } }, async (request) =>
      service.share(principalOf(request), request.params.name, request.params.department, false));

    app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof WordsBody> }>(`${base}/:name/words`, { config: { action: 'kb.words' }, schema: { params: NameParams, body: WordsBody } }, async (request, reply) => {
      await service.addWords(principalOf(request), request.params.name, request.body.words);
      return reply.code(204).send();
    });
  };
}
