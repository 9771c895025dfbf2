import { yumenError } from '../util/errors.ts';

/** `{{name}}` with optional spaces; names are letters (any script), digits and `_`, up to 64. */
const VARIABLE = /\{\{\s*([\p{L}\p{N}_]{1,64})\s*\}\}/gu;
export const MAX_VARIABLE_CHARS = 4000;

/** The variable names a prompt uses, in order of first appearance. */
export function promptVariables(prompt: string): string[] {
  const names = new Set<string>();
  for (const m of prompt.matchAll(VARIABLE)) names.add(m[1]);
  return [...names];
}

/**
 * Fills a prompt's {{variables}} in one pass, so a value that itself contains `{{x}}` is never expanded.
 * Values come from the caller, else from the app's defaults; a missing one, an unknown name or a value that
 * is not a string is a 400 naming the variable.
 */
export function fillPrompt(prompt: string, defaults: Readonly<Record<string, string>>, given: unknown): string {
  const used = promptVariables(prompt);
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given))) {
    throw yumenError('invalid_request', 'variables: must be an object of strings. / variables 须为字符串对象。', { param: 'variables' });
  }
  const values = (given ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(values)) {
    if (!used.includes(k)) throw yumenError('invalid_request', `variables.${k}: the app's prompt has no such variable (it has: ${used.join(', ') || 'none'}). / 应用提示词中没有该变量。`, { param: `variables.${k}` });
    if (typeof v !== 'string') throw yumenError('invalid_request', `variables.${k}: must be a string. / 变量值须为字符串。`, { param: `variables.${k}` });
    if (v.length > MAX_VARIABLE_CHARS) throw yumenError('invalid_request', `variables.${k}: at most ${MAX_VARIABLE_CHARS} characters. / 变量值过长。`, { param: `variables.${k}` });
  }
  const missing = used.filter((n) => typeof values[n] !== 'string' && !Object.hasOwn(defaults, n));
  if (missing.length) throw yumenError('invalid_request', `variables.${missing[0]}: required by the app's prompt (missing: ${missing.join(', ')}). / 缺少应用提示词所需的变量。`, { param: `variables.${missing[0]}` });
  return prompt.replace(VARIABLE, (_, name: string) => (typeof values[name] === 'string' ? values[name] as string : defaults[name]));
}
