import type { PageProps } from '../Shell.tsx';

export default function Audit(_props: PageProps) {
  return <div data-testid="page-audit">Audit</div>;
}
