/**
 * A watchdog for hung connections: a fetch that notes every byte received, and a signal that
 * aborts once none has come for `idleMs` — from sending the request until the end of the body.
 */
export interface IdleWatch {
  /** Aborts when the connection has been silent for `idleMs`. */
  readonly signal: AbortSignal;
  /** Whether the watchdog fired. */
  readonly fired: boolean;
  /** A fetch whose requests and response bodies keep the watchdog fed. */
  readonly fetch: typeof globalThis.fetch;
  stop(): void;
}

// Statuses a Response may not be constructed with a body for.
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export function watchIdle(idleMs: number, baseFetch = globalThis.fetch): IdleWatch {
  const controller = new AbortController();
  // Not holding the process open: the connection it watches does that while it matters.
  const timer = setTimeout(() => controller.abort(new Error('idle timeout')), idleMs).unref();
  const feed = () => {
    if (!controller.signal.aborted) timer.refresh();
  };

  const fetch: typeof globalThis.fetch = async (input, init) => {
    feed();
    const response = await baseFetch(input, init);
    feed();
    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) return response;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, stream) {
          feed();
          stream.enqueue(chunk);
        },
      }),
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  return {
    signal: controller.signal,
    get fired() {
      return controller.signal.aborted;
    },
    fetch,
    stop: () => clearTimeout(timer),
  };
}
