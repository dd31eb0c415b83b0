// Proves: the transition table allows exactly the moves a job's life has (a new job enters
// queued; queued → running or a final status; running → queued for a retry or a final status;
// a final status never changes) and every other move is refused with the store left as it was;
// a job's end is recorded once (a second end is ignored: the first reason wins) and each move
// emits its one event; and no module but the transitions module writes a job's status.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { JOB_STATUSES, type JobStatus } from '../../src/api/job.js';
import { JobEvents } from '../../src/engine/events.js';
import type { JobRecord, Outcome } from '../../src/engine/model.js';
import { isLegalMove, Transitions } from '../../src/engine/transitions.js';
import { newJobRecord } from '../../src/engine/verbs/admit.js';
import { JobFolders } from '../../src/job-folder/folders.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { preparedJob } from '../helpers/engine.js';
import { makeHome, type TestHome } from '../helpers/home.js';

// Written out here rather than read from the module: the table is what is being proved.
const ALLOWED: Record<JobStatus | 'new', JobStatus[]> = {
  new: ['queued'],
  queued: ['running', 'failed', 'killed', 'timed_out', 'lost'],
  running: ['queued', 'completed', 'failed', 'killed', 'timed_out', 'lost'],
  completed: [],
  failed: [],
  killed: [],
  timed_out: [],
  lost: [],
};
const FINAL: JobStatus[] = ['completed', 'failed', 'killed', 'timed_out', 'lost'];

let home: TestHome;
let store: SqliteStore;
let folders: JobFolders;
let events: JobEvents;
let transitions: Transitions;
let seen: string[];

beforeEach(() => {
  home = makeHome();
  const config = home.config();
  store = SqliteStore.open(join(home.home, 'bgjobs.db'), { exclusive: true });
  folders = new JobFolders(config.home, 0);
  events = new JobEvents();
  transitions = new Transitions(store, events, folders);
  seen = [];
  for (const name of ['started', 'ended', 'retried', 'run-ended', 'ready'] as const) {
    events.on(name, (job: JobRecord) => seen.push(`${name}:${job.id}`));
  }
});
afterEach(async () => {
  await folders.close();
  store.close();
  await home.cleanup();
});

/** A job in STATUS, put straight into the store (the state the transition starts from). */
function jobIn(status: JobStatus): JobRecord {
  const job = {
    ...newJobRecord({ config: home.config() }, preparedJob(home.home), {
      kind: 'shell',
      priority: 0,
      after: [],
      retries: 3,
      llm: null,
    }),
    status,
  };
  folders.make(job.id);
  store.insert(job);
  return job;
}

const outcome = (status: Exclude<JobStatus, 'queued' | 'running'>): Outcome =>
  status === 'completed'
    ? { status, exitCode: 0, signal: null, reason: 'exited with code 0' }
    : status === 'lost'
      ? { status, exitCode: null, signal: null, reason: 'unknown' }
      : { status, exitCode: 1, signal: null, reason: `${status} for the test` };

/** Asks TRANSITIONS to move JOB to TO by the one method that makes that move. */
function move(job: JobRecord, to: JobStatus): void {
  if (to === 'running') transitions.start(job);
  else if (to === 'queued') transitions.retry(job, outcome('failed'), 0);
  else transitions.end(job.id, outcome(to));
}

describe('the transition table', () => {
  it.each([...(['new'] as const), ...JOB_STATUSES])('from %s allows exactly its moves', (from) => {
    for (const to of JOB_STATUSES) expect(isLegalMove(from, to)).toBe(ALLOWED[from].includes(to));
  });

  it('admits a new job only as queued', () => {
    for (const status of JOB_STATUSES.filter((s) => s !== 'queued')) {
      const job = {
        ...newJobRecord({ config: home.config() }, preparedJob(home.home), {
          kind: 'shell',
          priority: 0,
          after: [],
          retries: 0,
          llm: null,
        }),
        status,
      };
      expect(() => transitions.admit(job)).toThrow(/cannot move from new/);
      expect(store.get(job.id)).toBeUndefined();
    }
  });

  it.each(['queued', 'running'] as const)(
    'refuses every illegal move from %s, leaving the store as it was',
    (from) => {
      for (const to of JOB_STATUSES.filter((s) => !ALLOWED[from].includes(s))) {
        const job = jobIn(from);
        const before = store.get(job.id);
        expect(() => move(job, to)).toThrow(`cannot move from ${from} to ${to}`);
        expect(store.get(job.id)).toEqual(before);
      }
      expect(seen).toEqual([]);
    },
  );

  it.each(FINAL)(
    'never changes a %s job: a start or retry is refused, a second end ignored',
    (from) => {
      for (const to of JOB_STATUSES) {
        const job = jobIn(from);
        const before = store.get(job.id);
        if (to === 'running' || to === 'queued')
          expect(() => move(job, to)).toThrow(`cannot move from ${from}`);
        else expect(transitions.end(job.id, outcome(to))).toEqual(before);
        expect(store.get(job.id)).toEqual(before);
      }
      expect(seen).toEqual([]);
    },
  );

  it('makes each legal move in one write with its one event; the first end wins', () => {
    const job = jobIn('queued');
    const running = transitions.start(job);
    expect(store.get(job.id)?.status).toBe('running');
    expect(store.get(job.id)?.startedAt).toBe(running.startedAt);
    const queued = transitions.retry(running, outcome('failed'), 1000);
    expect(queued).toMatchObject({
      status: 'queued',
      attempt: 2,
      reason: 'attempt 1 failed: failed for the test',
    });
    const again = transitions.start(queued!);
    expect(again.startedAt).toBe(running.startedAt);
    transitions.end(job.id, outcome('killed'));
    transitions.end(job.id, outcome('completed'));
    expect(store.get(job.id)).toMatchObject({ status: 'killed', exitCode: 1 });
    expect(seen).toEqual([`retried:${job.id}`, `ended:${job.id}`]);
  });
});

describe('the one writer of status', () => {
  it('is the transitions module: no other source file calls the store status writers', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.startsWith(join('src', 'store'))) {
          const text = readFileSync(path, 'utf8');
          if (path === join('src', 'engine', 'transitions.ts')) continue;
          if (/\.writeStatus\(|\.insert\(/.test(text)) offenders.push(path);
        }
      }
    };
    walk('src');
    expect(offenders).toEqual([]);
    // And the check can see a caller: the transitions module is one.
    expect(readFileSync(join('src', 'engine', 'transitions.ts'), 'utf8')).toMatch(
      /\.writeStatus\(/,
    );
  });
});
