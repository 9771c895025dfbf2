import type { PageProps } from '../Shell.tsx';

export default function Knowledge(_props: PageProps) {
  return <div data-testid="page-knowledge">Knowledge</div>;
}
