// The dashboard's header: its views (each its own address, a deep link) and whether the
// server's stream is live.
import type { ComponentChildren } from 'preact';

export const VIEWS = [
  { path: '/', label: 'Jobs' },
  { path: '/processes', label: 'Processes' },
  { path: '/services', label: 'Services' },
  { path: '/agents', label: 'Agents' },
  { path: '/workers', label: 'Workers' },
] as const;

export function Header({
  connected,
  children,
}: {
  connected: boolean;
  children?: ComponentChildren;
}) {
  return (
    <header>
      <h1>bgjobs</h1>
      <nav>
        {VIEWS.map((view) => (
          <a href={view.path} aria-current={location.pathname === view.path ? 'page' : undefined}>
            {view.label}
          </a>
        ))}
      </nav>
      <span class={`badge ${connected ? 'live' : 'offline'}`}>
        {connected ? 'live' : 'reconnecting'}
      </span>
      {children}
    </header>
  );
}
