import type { PageProps } from '../Shell.tsx';

export default function Chat(_props: PageProps) {
  return <div data-testid="page-chat">Chat</div>;
}
