import type { PageProps } from '../Shell.tsx';

export default function Policies(_props: PageProps) {
  return <div data-testid="page-policies">Policies</div>;
}
