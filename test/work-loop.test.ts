// Proves: a WorkLoop makes no round until woken, runs rounds while they report work, ends by
// itself when a round reports none (then a wake starts it again), keeps going when woken during
// a round that found none, goes on after a round that throws, and stops for good.
import { expect, it } from 'vitest';

import { WorkLoop } from '../src/work-loop.js';
import { until } from './helpers/home.js';

it('runs only while there is work, and again when woken', async () => {
  let work = 3;
  let rounds = 0;
  const loop = new WorkLoop({
    everyMs: 1,
    round: () => {
      rounds++;
      work = Math.max(0, work - 1);
      return work > 0;
    },
  });
  expect(loop.active).toBe(false);
  loop.wake();
  await until(() => !loop.active, 5000, 'the loop to end');
  expect(rounds).toBe(3);

  work = 2;
  loop.wake();
  await until(() => !loop.active, 5000, 'the loop to end again');
  expect(rounds).toBe(5);
  await loop.stop();
});

it('keeps going when woken during a round, and after a round that throws', async () => {
  const errors: unknown[] = [];
  let rounds = 0;
  const loop = new WorkLoop({
    everyMs: 1,
    round: async () => {
      rounds++;
      if (rounds === 1) throw new Error('first round fails');
      // Work arrives while this round looks: the loop must not end on its "none".
      if (rounds === 2) loop.wake();
      await Promise.resolve();
      return false;
    },
    onError: (error) => errors.push(error),
  });
  loop.wake();
  await until(() => !loop.active, 5000, 'the loop to end');
  expect(rounds).toBe(3);
  expect(errors).toHaveLength(1);
});

it('makes no round after stop, and stop is idempotent', async () => {
  let rounds = 0;
  const loop = new WorkLoop({ everyMs: 60_000, round: () => ++rounds > 0 });
  loop.wake();
  await Promise.all([loop.stop(), loop.stop()]);
  loop.wake();
  expect(loop.active).toBe(false);
  expect(rounds).toBe(0);
});
