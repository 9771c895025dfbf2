import type { PageProps } from '../Shell.tsx';

export default function Keys(_props: PageProps) {
  return <div data-testid="page-keys">Keys</div>;
}
