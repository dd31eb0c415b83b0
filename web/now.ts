import { useEffect, useState } from 'preact/hooks';

/** The time, ticking every `everyMs` (for durations of running jobs; no server is asked). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
