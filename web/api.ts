// The dashboard's calls to its server: JSON actions (with the session's CSRF token) and the
// server-sent event streams the views follow. The server pushes; nothing here polls.

let csrf: Promise<string> | undefined;

function csrfToken(): Promise<string> {
  csrf ??= fetch('/api/session', { credentials: 'same-origin' })
    .then((reply) => reply.json() as Promise<{ csrf: string }>)
    .then((body) => body.csrf);
  return csrf;
}

/** POSTs an action on a job; resolves with the reply, or rejects with the server's message. */
export async function act(path: string, body: unknown = {}): Promise<unknown> {
  const reply = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': await csrfToken() },
    body: JSON.stringify(body),
  });
  const parsed = (await reply.json()) as { message?: string };
  if (!reply.ok) throw new Error(parsed.message ?? `HTTP ${reply.status}`);
  return parsed;
}

/** Follows a server-sent event stream; returns the way to stop. */
export function follow(
  path: string,
  handlers: Record<string, (data: unknown) => void>,
  onState?: (connected: boolean) => void,
): () => void {
  const source = new EventSource(path);
  for (const [event, handle] of Object.entries(handlers)) {
    source.addEventListener(event, (message) =>
      handle(JSON.parse((message as MessageEvent<string>).data)),
    );
  }
  source.onopen = () => onState?.(true);
  source.onerror = () => onState?.(false);
  return () => source.close();
}
