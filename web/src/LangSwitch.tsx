import { Button } from 'antd';
import { useI18n } from './i18n.tsx';

export function LangSwitch() {
  const { lang, setLang, t } = useI18n();
  return <Button size="small" data-testid="lang-switch" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>{t('lang.switch')}</Button>;
}
