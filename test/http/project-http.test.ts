// Proves: `http = { port, host }` in bgjobs.toml parses (as an inline table or an [http] table)
// and a bad value or unknown key is an error naming its line and column; with the built CLI,
// `bgjobs serve --config FILE` serves HTTP where the file says, and `bgjobs up` starts a daemon
// that does too; an invalid http table starts nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { parseProjectFile } from '../../src/agents/project-file.js';
import { cli, makeHome, spawnCli, teardown, until } from '../cli/cli-harness.js';
import { send } from './client.js';
import { freePort } from '../helpers/free-port.js';

let home: string | undefined;
afterEach(async () => {
  if (home !== undefined) await teardown(home);
  home = undefined;
});

function errorOf(text: string): string {
  try {
    parseProjectFile(text, 'bgjobs.toml');
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('http in bgjobs.toml', () => {
  it('parses an inline or a plain table, and names the line and column of a bad value', () => {
    expect(parseProjectFile('http = { port = 8080, host = "127.0.0.1" }\n', 'f').http).toEqual({
      port: 8080,
      host: '127.0.0.1',
    });
    expect(parseProjectFile('[http]\nport = 0\n', 'f').http).toEqual({ port: 0 });
    expect(parseProjectFile('[services.web]\ncommand = "x"\n', 'f').http).toBeUndefined();
    expect(errorOf('# x\n[http]\nhost = "::1"\n  port = 70000\n')).toMatch(
      /^bgjobs\.toml:4:3: http\.port: .*65535/,
    );
    expect(errorOf('http = { port = "80" }\n\n[agents.a]\ncommand = "x"\nevery = "1m"\n')).toMatch(
      /^bgjobs\.toml:1:1: http\.port: /,
    );
    expect(errorOf('[http]\nport = 80\nhots = "x"\n')).toMatch(
      /^bgjobs\.toml:3:1: http\.hots: unknown key "hots"/,
    );
  });

  it('makes `bgjobs serve --config` and `bgjobs up` serve HTTP where the file says', async () => {
    home = makeHome();
    const port = await freePort();
    const file = join(home, 'bgjobs.toml');
    writeFileSync(file, `http = { port = ${port}, host = "127.0.0.1" }\n`);
    const serve = spawnCli(home, ['serve', '--config', file]);
    // With --config the daemon logs JSON lines to stdout.
    await until(() => serve.seen.stdout.includes('serving HTTP'), 'the HTTP server');
    const refused = await send(`http://127.0.0.1:${port}`, 'POST', '/mcp', {}, '{}');
    expect(refused.status).toBe(401);
    await cli(home, ['daemon', 'stop']);
    expect(await serve.exited).toBe(0);

    const up = await cli(home, ['up', '-f', file]);
    expect(up.code).toBe(0);
    // The daemon `up` started serves HTTP at the file's port.
    const again = await send(`http://127.0.0.1:${port}`, 'POST', '/mcp', {}, '{}');
    expect(again.status).toBe(401);
  });

  it('starts nothing when the http table is invalid', async () => {
    home = makeHome();
    const file = join(home, 'bgjobs.toml');
    writeFileSync(file, '[http]\nport = -1\n');
    const serve = await cli(home, ['serve', '--config', file]);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toMatch(/bgjobs\.toml:2:1: http\.port/);
    const up = await cli(home, ['up', '-f', file]);
    expect(up.code).not.toBe(0);
    const status = JSON.parse((await cli(home, ['daemon', 'status', '--json'])).stdout) as {
      running: boolean;
    };
    expect(status.running).toBe(false);
  });
});
