import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { loadItems, parseSuite, REFUSAL_CODES, renderReport, runSuite, SuiteError, type EvalClient, type ItemRecord, type SuiteResults } from '../../../eval/index.ts';
import type { Gateway, Principal } from '../../../gateway/index.ts';
import { inScope } from '../../../governance/index.ts';
import { yumenError } from '../../../util/errors.ts';
import { toYumenError } from '../../plugins/errors.ts';
import { allow, notFound, type AdminContext } from './context.ts';
import { Id, IdParams } from './schemas.ts';

/** Runs kept in memory; the oldest is dropped when a new one would exceed this. */
export const MAX_EVAL_RUNS = 20;
/** Calls in flight per model of a run in the server, so one run cannot take the gateway for itself. */
const MAX_HTTP_CONCURRENCY = 16;

interface EvalRun {
  id: string;
  tenantId: string;
  tenantName: string;
  suite: string;
  startedAt: string;
  finishedAt?: string;
  status: 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  results?: SuiteResults;
  records?: ItemRecord[];
  error?: string;
}

const RunBody = Type.Object({
  department_id: Id,
  suite: Type.Record(Type.String(), Type.Unknown(), { description: 'The suite as in the YAML file, each task with its records inline as `items` (mcq examples as `dev`); no file paths.' }),
}, { additionalProperties: false });

const RunSummary = Type.Object({
  id: Type.String(),
  suite: Type.String(),
  department_id: Type.String(),
  department: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }),
  started_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
});

const summary = (r: EvalRun): Static<typeof RunSummary> => ({
  id: r.id, suite: r.suite, department_id: r.tenantId, department: r.tenantName, status: r.status, progress: r.progress,
  started_at: r.startedAt, finished_at: r.finishedAt ?? null,
});

/**
 * An evaluation client that calls the gateway in-process as a department: the guard, policy, limits and
 * audit apply exactly as to an API key of that department.
 */
export function inProcessEvalClient(gateway: Gateway, principal: Principal): EvalClient {
  return {
    async chat(call, signal) {
      const requestId = randomUUID();
      try {
        const outcome = await gateway.chat(principal, { ...call, stream: false } as Parameters<Gateway['chat']>[1], { signal: signal ?? new AbortController().signal, requestId });
        if (outcome.kind !== 'json') return { kind: 'error', status: 502, code: null, message: 'unexpected stream', retryable: false };
        const choice = outcome.body.choices[0] as { message?: { content?: unknown }; logprobs?: any } | undefined;
        const top = choice?.logprobs?.content?.[0]?.top_logprobs;
        return { kind: 'answer', text: typeof choice?.message?.content === 'string' ? choice.message.content : '', top: Array.isArray(top) ? top : undefined, requestId: outcome.meta.requestId };
      } catch (err) {
        const e = toYumenError(err);
        if (e.status === 403 && REFUSAL_CODES.has(e.code)) return { kind: 'refused', code: e.code, requestId };
        return { kind: 'error', status: e.status, code: e.code, message: e.message, retryable: e.status === 429 || e.status >= 500 };
      }
    },
  };
}

/**
 * `yumen eval run` over HTTP for the console: POST /api/eval/runs starts a run in the background as the
 * department (202), GET /api/eval/runs/{id} tells its progress and results, …/report serves report.html.
 * Datasets come inline (the server reads no file a caller names). Runs live in memory only.
 */
export async function evalRoutes(app: FastifyInstance, { ctx, gateway }: { ctx: AdminContext; gateway: Gateway }): Promise<void> {
  const runs = new Map<string, EvalRun>();

  /** The run, when it exists and its department is within the caller's reach; 404 otherwise. */
  const reachable = (id: string, scope: Parameters<typeof inScope>[0]): EvalRun => {
    const run = runs.get(id);
    if (!run || !inScope(scope, run.tenantId)) notFound('evaluation run');
    return run;
  };

  app.post<{ Body: Static<typeof RunBody> }>('/eval/runs', {
    preHandler: allow(ctx, 'eval.run'),
    config: { action: 'admin.eval.run' },
    schema: { tags: ['eval'], summary: 'Start an evaluation run of a suite (datasets inline) through the gateway as a department', body: RunBody, response: { 202: Type.Object({ id: Type.String(), status_url: Type.String() }) } },
  }, async (request, reply) => {
    const b = request.body;
    request.auditTenant = b.department_id;
    if (!inScope(request.scope!, b.department_id)) throw yumenError('forbidden', 'That department is outside your reach. / 无权以该部门身份评测。', { param: 'department_id' });
    const dept = await ctx.departments.findById(b.department_id);
    if (!dept) throw yumenError('invalid_request', 'department_id: no such department.', { param: 'department_id' });
    let suite;
    try {
      // The department comes from department_id, whatever the suite's own `tenant` says.
      suite = parseSuite({ ...b.suite, tenant: dept.name }, '/', { inline: true });
      let total = 0;
      for (const task of suite.tasks) total += loadItems(task).length;
      if (total === 0) throw new SuiteError('suite: no items to evaluate');
      if (suite.concurrency > MAX_HTTP_CONCURRENCY) throw new SuiteError(`concurrency: at most ${MAX_HTTP_CONCURRENCY} for a run in the server`);
    } catch (err) {
      if (err instanceof SuiteError) throw yumenError('invalid_request', err.message, { param: 'suite' });
      throw err;
    }
    const run: EvalRun = { id: randomUUID(), tenantId: dept.id, tenantName: dept.name, suite: suite.name, startedAt: new Date().toISOString(), status: 'running', progress: { done: 0, total: 0 } };
    runs.set(run.id, run);
    while (runs.size > MAX_EVAL_RUNS) runs.delete(runs.keys().next().value!);
    const principal: Principal = { tenantId: dept.id, tenantName: dept.name, keyId: null, allowedModels: null };
    runSuite(suite, inProcessEvalClient(gateway, principal), { onProgress: (done, total) => { run.progress = { done, total }; } })
      .then(({ results, records }) => Object.assign(run, { status: 'done', results, records, finishedAt: new Date().toISOString() }))
      .catch((err: unknown) => Object.assign(run, { status: 'failed', error: (err as Error).message, finishedAt: new Date().toISOString() }));
    reply.code(202);
    return { id: run.id, status_url: `/api/eval/runs/${run.id}` };
  });

  app.get('/eval/runs', {
    preHandler: allow(ctx, 'eval.run'),
    schema: { tags: ['eval'], summary: 'The evaluation runs kept in memory (the last 20) of the departments within the caller\'s reach, newest first', response: { 200: Type.Object({ data: Type.Array(RunSummary) }) } },
  }, async (request) => {
    const data = [...runs.values()].filter((r) => inScope(request.scope!, r.tenantId)).reverse().map(summary);
    return { data };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/eval/runs/:id', {
    preHandler: allow(ctx, 'eval.run'),
    schema: { tags: ['eval'], summary: 'Progress of an evaluation run and, once done, its results (results.json)', params: IdParams },
  }, async (request) => {
    const run = reachable(request.params.id, request.scope!);
    return { ...summary(run), ...(run.results ? { results: run.results } : {}), ...(run.error ? { error: run.error } : {}) };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/eval/runs/:id/report', {
    preHandler: allow(ctx, 'eval.run'),
    schema: { tags: ['eval'], summary: 'The self-contained report.html of a finished evaluation run', params: IdParams },
  }, async (request, reply) => {
    const run = reachable(request.params.id, request.scope!);
    if (run.status !== 'done') throw yumenError('invalid_request', `The run is ${run.status}; its report exists once it is done. / 评测尚未完成。`);
    // Answers of models are in the page (escaped); no script may run in it regardless.
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:").send(renderReport(run.results!, run.records!));
  });
}
