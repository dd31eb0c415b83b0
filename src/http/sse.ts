import { streamSSE, type SSEStreamingApi } from 'hono/streaming';

const KEEPALIVE_MS = 15_000;

type Ctx = Parameters<typeof streamSSE>[0];

/**
 * Serves a server-sent event stream until the page goes away: `body` starts it, the stream
 * stays open (with a comment every 15 s so proxies keep it) until the client disconnects.
 */
export function sse(
  c: Ctx,
  logError: (message: string, error: unknown) => void,
  body: (stream: SSEStreamingApi, signal: AbortSignal) => Promise<void>,
): Response {
  c.header('Cache-Control', 'no-store');
  return streamSSE(
    c,
    async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      const keepalive = setInterval(() => {
        stream.write(': keepalive\n\n').catch(() => controller.abort());
      }, KEEPALIVE_MS);
      try {
        await body(stream, controller.signal);
        if (!controller.signal.aborted) {
          await new Promise<void>((resolve) =>
            controller.signal.addEventListener('abort', () => resolve(), { once: true }),
          );
        }
      } finally {
        clearInterval(keepalive);
      }
    },
    async (error) => logError('a dashboard stream failed', error),
  );
}
