// Proves: a long `wait` called with a progressToken sends notifications/progress while it waits
// (before the job ends, with increasing progress), and still returns the outcome at the end.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { killOutputSchema, waitOutputSchema } from '../../src/api/control.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { ERAS, type Harness, openHarness } from './harness.js';

interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}

describe.each(ERAS)('progress for a %s client', (era) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(era);
  });
  afterEach(async () => {
    await h.close();
  });

  it('wait reports progress while the job runs, then its outcome', async () => {
    const { data: job } = await h.ok('execute', { command: 'sleep 300' }, executeOutputSchema);
    const updates: ProgressUpdate[] = [];
    let firstUpdate!: () => void;
    const gotUpdate = new Promise<void>((resolve) => (firstUpdate = resolve));

    const waiting = h.ok('wait', { job_id: job.job_id, timeout_s: 50 }, waitOutputSchema, {
      onprogress: (update: ProgressUpdate) => {
        updates.push(update);
        firstUpdate();
      },
    });
    // The job cannot end by itself: progress must arrive while `wait` is still waiting.
    await gotUpdate;
    const killed = await h.ok(
      'kill',
      { job_id: job.job_id, grace_s: 5 },
      killOutputSchema.omit({ message: true }),
    );
    expect(killed.data.already_ended).toBe(false);

    const waited = await waiting;
    expect(waited.data.done).toBe(true);
    expect(waited.data.jobs[0]?.status).toBe('killed');
    expect(updates.length).toBeGreaterThan(0);
    const progress = updates.map((u) => u.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBe(progress.length);
  });
});
