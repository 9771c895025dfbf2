import { Component, type ReactNode } from 'react';
import { Alert, Button } from 'antd';
import { useI18n } from './i18n.tsx';

function ChunkFailed() {
  const { t } = useI18n();
  return (
    <Alert type="error" showIcon data-testid="chunk-failed" message={t('common.chunkFailed')} style={{ margin: 24 }}
      action={<Button size="small" onClick={() => location.reload()}>{t('common.reload')}</Button>} />
  );
}

/**
 * Catches a lazy page chunk that failed to load (a dropped network, a deploy that replaced the files)
 * and says so in the user's language instead of leaving the Suspense spinner up. Give it a `key` per
 * page so moving to another page tries again.
 */
export class ChunkBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  render() {
    return this.state.failed ? <ChunkFailed /> : this.props.children;
  }
}
