/**
 * Runs SEND one at a time for a dashboard stream: a kick while one runs makes one more run after
 * it, not one each, so a burst of changes costs two descriptions at most. A failure is logged;
 * the next kick tries again. Once STOPPED says so, no further run starts.
 *
 * @example
 * const sender = coalesced(() => send(), (e) => log(e), () => signal.aborted);
 * hub.on(() => sender.kick());
 * sender.kick();
 * await sender.settled(); // the first description is out
 */
export function coalesced(
  send: () => Promise<void>,
  onError: (error: unknown) => void,
  stopped: () => boolean,
): { kick: () => void; settled: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const kick = (): void => {
    if (stopped()) return;
    if (running !== undefined) return void (again = true);
    running = send()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  return { kick, settled: async () => running };
}
