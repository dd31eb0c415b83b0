// Proves: a `run --pty` job runs in a terminal: `tail` prints its rendered screen (the prompt
// and the █ cursor) rather than raw bytes unless --raw, `send --key ctrl-c` presses ctrl-c (the
// REPL shows KeyboardInterrupt), `logs --screen` prints the screen and is exit 1 for a job
// without one; `kill` of a server started with --ready-port prints the pids it ended and the
// port it freed, and the port is free afterwards.
import { createServer } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { killOutputSchema } from '../../src/api/control.js';
import { cli, makeHome, runJob, teardown, until } from './cli-harness.js';
import { freePort } from '../helpers/free-port.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await teardown(home);
});

/** A TCP port nothing listens on right now. */
/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

describe('bgjobs run --pty', () => {
  it('tails the rendered screen, and send --key presses named keys', async () => {
    const id = await runJob(home, ['--pty-size', '80x24', 'python3 -q']);
    const screen = await until(async () => {
      const tail = await cli(home, ['tail', id]);
      return tail.stdout.includes('>>>') ? tail.stdout : undefined;
    }, 'the python prompt on the screen');
    // The cursor mark is drawn on a rendered screen only.
    expect(screen).toContain('>>> █');
    const raw = await cli(home, ['tail', id, '--raw']);
    expect(raw.stdout).toContain('>>>');
    expect(raw.stdout).not.toContain('█');

    expect((await cli(home, ['send', id, '--key', 'ctrl-c'])).code).toBe(0);
    await until(
      async () => (await cli(home, ['logs', id, '--screen'])).stdout.includes('KeyboardInterrupt'),
      'KeyboardInterrupt after ctrl-c',
    );
    const status = await cli(home, ['status', id]);
    expect(status.stdout).toMatch(/^pty\s+80x24$/m);

    const plain = await runJob(home, ['echo plain']);
    const none = await cli(home, ['logs', plain, '--screen']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('not started with --pty');
  });
});

describe('bgjobs kill', () => {
  it('prints the pids it ended and the port it freed', async () => {
    const port = await freePort();
    const started = await cli(home, [
      'run',
      '--ready-port',
      String(port),
      '--wait-ready',
      '--wait-timeout',
      '20',
      `python3 -m http.server ${port} --bind 127.0.0.1`,
    ]);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(await listening(port)).toBe(true);

    const killed = await cli(home, ['kill', id, '--grace', '2']);
    expect(killed.code).toBe(0);
    expect(killed.stdout).toMatch(/^killed pids: \d+( \d+)*$/m);
    expect(killed.stdout).toMatch(new RegExp(`^freed ports: ${port}$`, 'm'));
    expect(await listening(port)).toBe(false);

    const again = await cli(home, ['kill', id, '--json']);
    const result = killOutputSchema.parse(JSON.parse(again.stdout));
    expect(result).toMatchObject({ already_ended: true, freed_ports: [] });
  });
});
