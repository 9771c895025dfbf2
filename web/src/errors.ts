import { ApiError } from './api.ts';
import { pickLanguage, useI18n } from './i18n.tsx';

/** Turns any thrown thing into a message in the user's language (the API's own message where it has one). */
export function useErrorText(): (err: unknown) => string {
  const { lang, t } = useI18n();
  return (err) => {
    if (err instanceof ApiError) return pickLanguage(err.message, lang);
    if (err instanceof TypeError) return t('error.network');
    return err instanceof Error ? err.message : String(err);
  };
}
