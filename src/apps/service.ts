import type { Principal } from '../governance/index.ts';
import type { ChatRequest } from '../providers/index.ts';
import type { AppPatch, AppRepository, NewApp, StoredApp } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import { APP_PREFIX, VARIABLES_FIELD, appVisibleTo, applyApp } from './resolve.ts';
import { promptVariables } from './template.ts';

export interface AppServiceDeps {
  repo: AppRepository;
  /** Whether a model or pool of this name is configured (`auto` is always valid). */
  modelExists(name: string): boolean;
  /** Names of the knowledge bases a department may read (owned or shared with it); null when knowledge is off. */
  readableKnowledgeBases(tenantId: string): Promise<ReadonlySet<string> | null>;
  departmentExists(id: string): Promise<boolean>;
}

/** An entry of GET /v1/models for an app. */
export interface AppModelInfo {
  id: string;
  name: string;
  description: string | null;
  welcome: string | null;
  suggested_questions: string[];
  variables: string[];
  model: string;
}

export const SLUG_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
const SLUG = new RegExp(SLUG_PATTERN);

/**
 * Business-scenario apps (业务场景App): definition and checks for the admin API and CLI, and the
 * resolution of `app:<slug>` for the gateway. Apps are read from the store on every use, so a change
 * made on one node of a cluster applies on every node at once.
 */
export function createAppService(deps: AppServiceDeps) {
  const { repo } = deps;

  async function check(app: Pick<StoredApp, 'tenantId' | 'model' | 'knowledgeBases' | 'sharedWith' | 'systemPrompt' | 'variables'>): Promise<void> {
    if (app.model !== 'auto' && (app.model.startsWith(APP_PREFIX) || !deps.modelExists(app.model))) {
      throw yumenError('invalid_request', `model: "${app.model}" is not a configured model or pool (nor "auto"). / 模型未配置。`, { param: 'model' });
    }
    const used = promptVariables(app.systemPrompt);
    for (const k of Object.keys(app.variables)) {
      if (!used.includes(k)) throw yumenError('invalid_request', `variables.${k}: the system prompt has no {{${k}}}. / 提示词中没有该变量。`, { param: `variables.${k}` });
    }
    for (const d of app.sharedWith) {
      if (!(await deps.departmentExists(d))) throw yumenError('invalid_request', `shared_with: no department ${d}. / 部门不存在。`, { param: 'shared_with' });
    }
    if (app.knowledgeBases.length === 0) return;
    // Retrieval runs with the caller's rights: each department that may use the app must be able to read its bases.
    for (const tenantId of [app.tenantId, ...app.sharedWith]) {
      const readable = await deps.readableKnowledgeBases(tenantId);
      if (readable === null) throw yumenError('invalid_request', 'knowledge_bases: knowledge bases are not enabled on this server. / 未启用知识库。', { param: 'knowledge_bases' });
      const missing = app.knowledgeBases.filter((kb) => !readable.has(kb));
      if (missing.length) {
        const whose = tenantId === app.tenantId ? "the app's department" : `department ${tenantId} (share the knowledge base with it too)`;
        throw yumenError('invalid_request', `knowledge_bases: ${missing.join(', ')} not readable by ${whose}. / 知识库不存在或该部门无权读取。`, { param: 'knowledge_bases' });
      }
    }
  }

  return {
    list: repo.list,
    get: repo.findBySlug,
    async create(input: NewApp): Promise<StoredApp> {
      if (!SLUG.test(input.slug)) throw yumenError('invalid_request', 'slug: 1–63 lower-case letters, digits, "_" or "-", starting with a letter or digit. / 应用标识格式不正确。', { param: 'slug' });
      await check({ ...input, sharedWith: input.sharedWith ?? [] });
      return repo.create(input);
    },
    async update(slug: string, patch: AppPatch): Promise<StoredApp | undefined> {
      const app = await repo.findBySlug(slug);
      if (!app) return undefined;
      await check({ ...app, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) });
      return repo.update(slug, patch);
    },
    delete: repo.delete,

    /** The apps a key sees in GET /v1/models. */
    async modelsFor(principal: Principal): Promise<AppModelInfo[]> {
      const apps = await repo.list({ tenantIds: [principal.tenantId], includeShared: true });
      return apps.filter((a) => appVisibleTo(a, principal)).map((a) => ({
        id: APP_PREFIX + a.slug, name: a.name, description: a.description, welcome: a.welcome,
        suggested_questions: a.suggestedQuestions, variables: promptVariables(a.systemPrompt), model: a.model,
      }));
    },

    /**
     * For the gateway, before the pipeline runs: a chat on `app:<slug>` becomes the app's request (see
     * applyApp); any other chat passes unchanged (null). An unknown app and one the key may not see both
     * answer model_not_found, as for models.
     */
    async resolveChat(principal: Principal, request: ChatRequest): Promise<{ principal: Principal; request: ChatRequest; app: string } | null> {
      if (!request.model.startsWith(APP_PREFIX)) {
        if (VARIABLES_FIELD in request) throw yumenError('invalid_request', `variables: only for apps (model "app:<slug>"). / variables 仅用于应用。`, { param: 'variables' });
        return null;
      }
      const slug = request.model.slice(APP_PREFIX.length);
      const app = SLUG.test(slug) ? await repo.findBySlug(slug) : undefined;
      if (!app || !appVisibleTo(app, principal)) {
        throw yumenError('model_not_found', `The model "${request.model}" does not exist or you do not have access to it. / 模型 "${request.model}" 不存在或无权使用。`, { param: 'model' });
      }
      return { ...applyApp(app, principal, request), app: app.slug };
    },
  };
}
export type AppService = ReturnType<typeof createAppService>;
