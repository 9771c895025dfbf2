import type { PageProps } from '../Shell.tsx';

export default function Departments(_props: PageProps) {
  return <div data-testid="page-departments">Departments</div>;
}
