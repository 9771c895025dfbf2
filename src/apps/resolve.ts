import type { Principal } from '../governance/index.ts';
import type { ChatRequest } from '../providers/index.ts';
import type { StoredApp } from '../store/index.ts';
import { fillPrompt } from './template.ts';

export const APP_PREFIX = 'app:';

/** The Yumen-only field of a chat body that fills an app's {{variables}}; never sent upstream. */
export const VARIABLES_FIELD = 'variables';

/** Whether keys of this department may see and call the app (its own department or one it is shared with). */
export function appVisibleTo(app: StoredApp, principal: Principal): boolean {
  if (app.tenantId !== principal.tenantId && !app.sharedWith.includes(principal.tenantId)) return false;
  return principal.allowedModels === null || principal.allowedModels.has(APP_PREFIX + app.slug);
}

/**
 * A chat on `app:<slug>` as the pipeline then runs it: the app's model, its system prompt (variables
 * filled) before the client's messages, and its knowledge bases joined to any the client named. The
 * prompt is an ordinary message from here on, so the guard inspects it like the rest.
 *
 * A key restricted by allowed_models to `app:<slug>` may use the app's model for this call: the app,
 * not the client, chooses it.
 */
export function applyApp(app: StoredApp, principal: Principal, request: ChatRequest): { principal: Principal; request: ChatRequest } {
  const { [VARIABLES_FIELD]: variables, ...rest } = request;
  const prompt = fillPrompt(app.systemPrompt, app.variables, variables);
  const named = Array.isArray(request.knowledge_bases) ? (request.knowledge_bases as string[]) : [];
  const knowledgeBases = [...new Set([...app.knowledgeBases, ...named])];
  const out: ChatRequest = { ...rest, model: app.model, messages: prompt.trim() ? [{ role: 'system', content: prompt }, ...request.messages] : request.messages };
  if (knowledgeBases.length) out.knowledge_bases = knowledgeBases;
  else delete out.knowledge_bases;
  return { principal: principal.allowedModels === null ? principal : { ...principal, allowedModels: null }, request: out };
}
