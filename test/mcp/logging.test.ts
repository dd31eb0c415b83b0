// Proves: once a client sets a level with `logging/setLevel`, it is sent a log message (logger
// "bgjobs") when a job starts (info) and when it ends (info; warning for a failed job); nothing
// is sent before it asks; and the level it sets is respected (at "warning", a job that completes
// is not logged while one that fails is).
import { afterEach, expect, it } from 'vitest';

import { waitOutputSchema } from '../../src/api/control.js';
import { executeOutputSchema } from '../../src/api/start.js';
import { until } from '../helpers/home.js';
import { type Harness, openHarness, type Received } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

async function run(command: string): Promise<string> {
  const { data } = await h.ok('execute', { command }, executeOutputSchema);
  await h.ok('wait', { job_id: data.job_id }, waitOutputSchema);
  return data.job_id;
}

const about = (messages: Received[], id: string): Received[] =>
  messages.filter((m) => String(m.params.data).includes(id));

/** "level logger what-happened", without the job's id and pid. */
const summary = (messages: Received[]): string[] =>
  messages.map((m) => {
    const what = String(m.params.data)
      .replace(/^Job \w+ /, '')
      .replace(/ \(pid \d+\)/, '');
    return `${String(m.params.level)} ${String(m.params.logger)} ${what}`;
  });

it('logs job starts and ends at the level the client set, and nothing before it asks', async () => {
  h = await openHarness('legacy');
  const messages = h.record('notifications/message');
  const unheard = await run('true');

  await h.client.setLoggingLevel('info');
  const ok = await run('true');
  const bad = await run('exit 3');
  await until(() => about(messages, bad).length >= 2, 10_000, 'the failed job logged');
  expect(summary(about(messages, ok))).toEqual([
    'info bgjobs started.',
    'info bgjobs ended completed: exited with code 0.',
  ]);
  expect(summary(about(messages, bad))).toEqual([
    'info bgjobs started.',
    'warning bgjobs ended failed: exited with code 3.',
  ]);
  expect(about(messages, unheard)).toEqual([]);

  await h.client.setLoggingLevel('warning');
  const quiet = await run('true');
  const loud = await run('exit 4');
  await until(() => about(messages, loud).length >= 1, 10_000, 'the second failure logged');
  // The completed job ended before the failed one started: any message for it would be here.
  expect(about(messages, quiet)).toEqual([]);
  expect(about(messages, loud).map((m) => m.params.level)).toEqual(['warning']);
});
