import { isListening } from '../../procfs/ports.js';
import type { RunPayload } from '../wire.js';

const PROBE_TIMEOUT_MS = 1000;

/**
 * Readiness by port or URL is a fact of the worker's host, so the worker probes it and says
 * `ready` on the run's event stream. (A pattern on the output is matched by the daemon on the
 * mirrored files, as for a local job.) One probe per run in flight at a time.
 */
export class ReadyProbe {
  private readonly pending = new Map<string, RunPayload>();
  private readonly busy = new Set<string>();
  private readonly announce: (payload: RunPayload) => Promise<void>;

  constructor(announce: (payload: RunPayload) => Promise<void>) {
    this.announce = announce;
  }

  /** Starts probing a run whose readiness names a port or a URL. */
  watch(payload: RunPayload): void {
    const ready = payload.ready;
    if (ready?.port !== undefined || ready?.url !== undefined)
      this.pending.set(payload.run, payload);
  }

  forget(run: string): void {
    this.pending.delete(run);
  }

  /** One look at every pending run; a run found ready is announced once. */
  probeAll(): void {
    for (const [run, payload] of this.pending) {
      if (this.busy.has(run)) continue;
      this.busy.add(run);
      void this.probe(payload)
        .then(async (up) => {
          if (!up || !this.pending.has(run)) return;
          await this.announce(payload);
          this.pending.delete(run);
        })
        .catch(() => undefined)
        .finally(() => this.busy.delete(run));
    }
  }

  private async probe(payload: RunPayload): Promise<boolean> {
    const ready = payload.ready;
    if (ready?.port !== undefined && isListening(ready.port)) return true;
    if (ready?.url === undefined) return false;
    try {
      const response = await fetch(ready.url, {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        redirect: 'manual',
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300;
    } catch {
      return false;
    }
  }
}
