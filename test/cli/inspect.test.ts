// Proves: `--json` prints exactly the API result (each verb's output validates against its zod
// schema); `ls` shows an aligned table with relative times and filters by status; `status`
// shows the outcome; `logs` writes the job's stdout to stdout and its stderr to stderr, pages
// with --max-bytes/--offset and returns only new output with --new; `tail -n` gives the last
// lines; `search` finds lines with context, case-insensitively with -i.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { listOutputSchema, statusOutputSchema } from '../../src/api/listing.js';
import { outputOutputSchema, searchOutputSchema, tailOutputSchema } from '../../src/api/read.js';
import { cli, makeHome, runJob, teardown } from './cli-harness.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

async function finishedJob(command: string, name?: string): Promise<string> {
  const id = await runJob(home, name === undefined ? [command] : ['--name', name, command]);
  await cli(home, ['wait', id]);
  return id;
}

describe('bgjobs ls and status', () => {
  it('lists jobs as a table and as the API result', async () => {
    const done = await finishedJob('echo done', 'first');
    const running = await runJob(home, ['sleep 300']);

    const table = await cli(home, ['ls']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+STATUS\s+EXIT\s+CREATED\s+RAN\s+COMMAND$/);
    expect(rows).toHaveLength(2);
    // Newest first, and the columns line up under the header.
    expect(rows[0]).toMatch(new RegExp(`^${running}\\s+-\\s+running\\s+-\\s+(just now|\\d+s ago)`));
    expect(rows[1]).toMatch(new RegExp(`^${done}\\s+first\\s+completed\\s+exit 0\\s+`));
    expect(rows[1]?.indexOf('completed')).toBe(header?.indexOf('STATUS'));

    const json = await cli(home, ['ls', '--json', '--status', 'running']);
    const listed = listOutputSchema.parse(JSON.parse(json.stdout));
    expect(listed.jobs.map((job) => job.job_id)).toEqual([running]);
    expect(listed.total).toBe(1);
  });

  it('shows a job status for people and for scripts', async () => {
    const id = await finishedJob('echo out; echo err >&2; exit 4', 'statusy');

    const human = await cli(home, ['status', 'statusy']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^job\\s+${id} \\(statusy\\)$`, 'm'));
    expect(human.stdout).toMatch(/^status\s+failed: .*code 4/m);
    expect(human.stdout).toMatch(/^exit\s+4$/m);

    const json = await cli(home, ['status', id, '--json']);
    const status = statusOutputSchema.parse(JSON.parse(json.stdout));
    expect(status).toMatchObject({ job_id: id, status: 'failed', exit_code: 4, name: 'statusy' });
    expect(status.stdout.bytes).toBe(4);
  });
});

describe('bgjobs logs, tail and search', () => {
  it('writes stdout to stdout and stderr to stderr', async () => {
    const id = await finishedJob('echo one; echo oops >&2; echo two');
    const logs = await cli(home, ['logs', id]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe('one\ntwo\n');
    expect(logs.stderr).toBe('oops\n');

    const onlyErr = await cli(home, ['logs', id, '--stream', 'stderr']);
    expect(onlyErr.stdout).toBe('');
    expect(onlyErr.stderr).toBe('oops\n');

    const json = await cli(home, ['logs', id, '--json']);
    const output = outputOutputSchema.parse(JSON.parse(json.stdout));
    expect(output).toMatchObject({ job_id: id, stdout: 'one\ntwo\n', stderr: 'oops\n' });
  });

  it('pages with --max-bytes and --offset, and --new returns only unread output', async () => {
    const id = await finishedJob('printf abcdefghij');
    const page = await cli(home, ['logs', id, '--stream', 'stdout', '--max-bytes', '4']);
    expect(page.stdout).toBe('abcd');
    expect(page.stderr).toContain('--offset 4');

    const rest = await cli(home, ['logs', id, '--stream', 'stdout', '--offset', '4']);
    expect(rest.stdout).toBe('efghij');

    // A job not read before, so the CLI's read position starts at the beginning.
    const fresh = await finishedJob('printf 0123');
    const first = await cli(home, ['logs', fresh, '--new']);
    expect(first.stdout).toBe('0123');
    const again = await cli(home, ['logs', fresh, '--new']);
    expect(again.stdout).toBe('');
  });

  it('tails the last lines', async () => {
    const id = await finishedJob('seq 1 100');
    const tail = await cli(home, ['tail', id, '-n', '3']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toBe('98\n99\n100\n');

    const json = await cli(home, ['tail', id, '-n', '2', '--json']);
    const result = tailOutputSchema.parse(JSON.parse(json.stdout));
    expect(result.stdout.trimEnd().split('\n')).toEqual(['99', '100']);
  });

  it('searches with context, -i and --json', async () => {
    const id = await finishedJob('printf "alpha\\nbeta\\nERROR here\\ngamma\\ndelta\\n"');
    const found = await cli(home, ['search', id, 'error', '-i', '-C', '1']);
    expect(found.code).toBe(0);
    expect(found.stdout).toBe('stdout-2- beta\nstdout:3: ERROR here\nstdout-4- gamma\n');

    const none = await cli(home, ['search', id, 'error']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('no matches');

    const json = await cli(home, ['search', id, 'a$', '--json', '-C', '0']);
    const result = searchOutputSchema.parse(JSON.parse(json.stdout));
    expect(result.matches.map((match) => match.text)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
  });
});
