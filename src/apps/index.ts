/**
 * Business-scenario apps (业务场景App): a department's model, system prompt with {{variables}}, knowledge
 * bases, welcome text and suggested questions behind one name, `app:<slug>`, shared with other departments.
 *
 * @example
 * const apps = createAppService({ repo: createAppRepository(db), modelExists, readableKnowledgeBases, departmentExists });
 * await apps.create({ slug: 'policy-qa', tenantId, name: '政策问答', model: 'local', systemPrompt: '你是{{unit}}的政策顾问。', … });
 * const resolved = await apps.resolveChat(principal, { model: 'app:policy-qa', variables: { unit: '财政局' }, messages });
 */
export { createAppService, SLUG_PATTERN, type AppService, type AppServiceDeps, type AppModelInfo } from './service.ts';
export { applyApp, appVisibleTo, APP_PREFIX, VARIABLES_FIELD } from './resolve.ts';
export { fillPrompt, promptVariables, MAX_VARIABLE_CHARS } from './template.ts';
