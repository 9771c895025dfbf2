import { ApiError } from './api.ts';
import { pickLanguage, useI18n } from './i18n.tsx';

/** Turns any thrown thing into a message in the user's language (the API's own message where it has one). */
export function useErrorText(): (err: unknown) => string {
  const { lang, t } = useI18n();
  return (err) => {
    if (err instanceof ApiError) {
      const text = pickLanguage(err.message, lang);
      // A message the API wrote in English only (a field check) gets a Chinese lead-in naming the problem.
      if (lang === 'zh-CN' && !/[\u4e00-\u9fff]/.test(text)) return `${t(err.status === 403 ? 'error.forbidden' : err.status === 404 ? 'error.notFound' : err.status === 409 ? 'error.conflict' : err.status >= 500 ? 'error.server' : 'error.invalid')}：${text}`;
      return text;
    }
    if (err instanceof TypeError) return t('error.network');
    return err instanceof Error ? err.message : String(err);
  };
}
