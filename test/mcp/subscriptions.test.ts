// Proves: a client subscribed to `bgjobs://jobs/{id}` (with `resources/subscribe` on the 2025 era,
// `subscriptions/listen` on the 2026 era) is sent `notifications/resources/updated` for it when
// the job ends, once its end is recorded (how soon is a figure for `npm run bench`, about 5 ms
// there); the name of a job works as
// its id; `bgjobs://jobs` subscribers hear of starts and ends, and `list_changed` is sent; output
// growth is reported at most once a second per URI, and its end is reported too; nothing is sent
// for a URI nobody subscribed to, nor after unsubscribing (or closing the listen).
import { afterEach, describe, expect, it } from 'vitest';

import { waitOutputSchema } from '../../src/api/control.js';
import { statusOutputSchema } from '../../src/api/listing.js';
import { tailOutputSchema } from '../../src/api/read.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { until } from '../helpers/home.js';
import { type Harness, openHarness, type Received } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

async function start(args: Record<string, unknown>): Promise<string> {
  return (await h.ok('execute', args, executeOutputSchema)).data.job_id;
}

/** Ends a job that reads a line from stdin, by answering it, and waits until it has ended. */
async function answer(jobId: string): Promise<void> {
  await h.call('interact', { job_id: jobId, input: 'go', timeout_s: 0 });
  const { data } = await h.ok('wait', { job_id: jobId }, waitOutputSchema);
  expect(data.done).toBe(true);
}

const uris = (received: Received[]): unknown[] => received.map((n) => n.params.uri);

describe('2025 era: resources/subscribe', () => {
  it('sends updated when a subscribed job ends, quickly, by id or name, and only for subscribed URIs', async () => {
    h = await openHarness('legacy');
    const updated = h.record('notifications/resources/updated');
    const named = await start({ command: 'read x', name: 'Reader' });
    const quiet = await start({ command: 'read x' });
    await h.client.subscribeResource({ uri: 'bgjobs://jobs/Reader' });

    await answer(quiet);
    await answer(named);
    await until(() => uris(updated).includes('bgjobs://jobs/Reader'), 10_000, 'the update');
    // The unsubscribed job ended first: had anything been sent for it, it would be here by now.
    expect(uris(updated)).toEqual(['bgjobs://jobs/Reader']);
    const job = statusOutputSchema.parse(
      JSON.parse(textOf(await h.client.readResource({ uri: 'bgjobs://jobs/Reader' }))),
    );
    expect(job).toMatchObject({ job_id: named, status: 'completed' });
  });

  it('tells of each job end, after the end is recorded', async () => {
    h = await openHarness('legacy');
    const updated = h.record('notifications/resources/updated');
    for (let i = 0; i < 5; i++) {
      const id = await start({ command: 'read x' });
      const uri = `bgjobs://jobs/${id}`;
      await h.client.subscribeResource({ uri });
      await answer(id);
      const note = await until(() => updated.find((n) => n.params.uri === uri), 10_000, uri);
      const status = statusOutputSchema.parse(
        (await h.call('status', { job_id: id })).structuredContent,
      );
      expect(status.status).toBe('completed');
      // ended_at is when the engine recorded the end (to the millisecond); `at` when the client
      // got the notification: it reports an end that happened, not one foreseen.
      const endedAt = Date.parse(status.ended_at ?? '');
      expect(note.at + performance.timeOrigin).toBeGreaterThanOrEqual(endedAt - 1);
      expect(updated.filter((n) => n.params.uri === uri)).toHaveLength(1);
    }
  });

  it('tells bgjobs://jobs subscribers of starts and ends, and sends list_changed', async () => {
    h = await openHarness('legacy');
    const updated = h.record('notifications/resources/updated');
    const listChanged = h.record('notifications/resources/list_changed');
    await h.client.subscribeResource({ uri: 'bgjobs://jobs' });
    const id = await start({ command: 'read x' });
    await until(() => updated.length >= 1 && listChanged.length >= 1, 10_000, 'the start');
    await answer(id);
    await until(() => updated.length >= 2 && listChanged.length >= 2, 10_000, 'the end');
    expect(uris(updated)).toEqual(['bgjobs://jobs', 'bgjobs://jobs']);
  });

  it('reports output growth at most once a second per URI, and the end', async () => {
    h = await openHarness('legacy');
    const updated = h.record('notifications/resources/updated');
    // Prints every 100 ms for about 3 s, then waits for a line before it ends.
    const id = await start({ command: 'for i in $(seq 30); do echo $i; sleep 0.1; done; read x' });
    const uri = `bgjobs://jobs/${id}/output`;
    await h.client.subscribeResource({ uri });
    await until(
      async () =>
        (await h.ok('tail', { job_id: id, lines: 1 }, tailOutputSchema)).data.stdout === '30\n',
      20_000,
      'the 30 lines',
    );
    const growth = updated.filter((n) => n.params.uri === uri);
    expect(growth.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < growth.length; i++) {
      expect(growth[i]!.at - growth[i - 1]!.at).toBeGreaterThanOrEqual(950);
    }
    const before = growth.length;
    await answer(id);
    await until(
      () => updated.filter((n) => n.params.uri === uri).length > before,
      10_000,
      'the end',
    );
  });

  it('sends nothing for a job after unsubscribing from it', async () => {
    h = await openHarness('legacy');
    const updated = h.record('notifications/resources/updated');
    const dropped = await start({ command: 'read x' });
    const kept = await start({ command: 'read x' });
    await h.client.subscribeResource({ uri: `bgjobs://jobs/${dropped}` });
    await h.client.subscribeResource({ uri: `bgjobs://jobs/${kept}` });
    await h.client.unsubscribeResource({ uri: `bgjobs://jobs/${dropped}` });
    await answer(dropped);
    await answer(kept);
    await until(() => updated.length > 0, 10_000, 'the update');
    expect(uris(updated)).toEqual([`bgjobs://jobs/${kept}`]);
  });

  it('refuses to subscribe to a URI that is not a bgjobs resource', async () => {
    h = await openHarness('legacy');
    await expect(h.client.subscribeResource({ uri: 'file:///etc/passwd' })).rejects.toThrow(
      /not found/i,
    );
  });
});

describe('2026 era: subscriptions/listen', () => {
  it('sends updated for the URIs a listen asked for, until it is closed', async () => {
    h = await openHarness('modern');
    const updated = h.record('notifications/resources/updated');
    const first = await start({ command: 'read x' });
    const second = await start({ command: 'read x' });
    const subscription = await h.client.listen({
      resourceSubscriptions: [`bgjobs://jobs/${first}`, `bgjobs://jobs/${second}`],
    });
    expect(subscription.honoredFilter.resourceSubscriptions).toHaveLength(2);

    await answer(first);
    await until(() => updated.length > 0, 10_000, 'the update');
    expect(uris(updated)).toEqual([`bgjobs://jobs/${first}`]);

    await subscription.close();
    const probe = await start({ command: 'read x' });
    const after = await h.client.listen({ resourceSubscriptions: [`bgjobs://jobs/${probe}`] });
    await answer(second);
    await answer(probe);
    await until(() => uris(updated).includes(`bgjobs://jobs/${probe}`), 10_000, 'the probe');
    // The closed listen's job ended before the probe: nothing came for it.
    expect(uris(updated)).toEqual([`bgjobs://jobs/${first}`, `bgjobs://jobs/${probe}`]);
    await after.close();
  });
});

function textOf(result: { contents: Array<{ uri: string } & Record<string, unknown>> }): string {
  const [content] = result.contents;
  if (content === undefined || typeof content.text !== 'string') throw new Error('no text');
  return content.text;
}
