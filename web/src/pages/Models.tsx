import type { PageProps } from '../Shell.tsx';

export default function Models(_props: PageProps) {
  return <div data-testid="page-models">Models</div>;
}
