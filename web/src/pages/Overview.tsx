import type { PageProps } from '../Shell.tsx';

export default function Overview(_props: PageProps) {
  return <div data-testid="page-overview">Overview</div>;
}
