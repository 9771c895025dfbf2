import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { messages, type MessageKey } from './messages.ts';

export type Lang = 'zh-CN' | 'en';
const STORAGE_KEY = 'yumen.lang';

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
}

const Ctx = createContext<I18n | null>(null);

/** zh-CN by default; the switch is remembered in localStorage. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<I18n>(() => ({
    lang,
    setLang(next) {
      try { localStorage.setItem(STORAGE_KEY, next); } catch { /* private mode: not remembered */ }
      document.documentElement.lang = next;
      setLangState(next);
    },
    t(key, vars) {
      const entry = messages[key];
      let text: string = entry ? entry[lang === 'en' ? 1 : 0] : key;
      if (vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v));
      return text;
    },
  }), [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/**
 * The API writes its messages as "English. / 中文。": show the half in the user's language. Messages
 * with one language only are shown as they are.
 */
export function pickLanguage(message: string, lang: Lang): string {
  const i = message.lastIndexOf(' / ');
  if (i < 0) return message;
  const en = message.slice(0, i).trim();
  const zh = message.slice(i + 3).trim();
  if (!/[\u4e00-\u9fff]/.test(zh)) return message;
  return lang === 'en' ? en : zh;
}
