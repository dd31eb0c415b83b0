// Invariants: under an allowlist, a redirection may write only inside the job's working
// directory (resolved through symlinks and `..`), to /dev/null (/dev/stdout, /dev/stderr), or
// to another descriptor (`2>&1`, `>&2`, `>&-`); every writing operator counts (`>`, `>>`, `>|`,
// `<>`, `>&file`, `N>`; `&>` is refused as dash reads it), also on compound commands and in
// substitutions; a target known only at run time (`$VAR`, `$(…)`, `~`, a glob) and a relative
// target after `cd` are refused; input redirections and here-docs are not writes; BGJOBS_ALLOW_REDIRECTS=any
// lifts the rule and `none` allows no file at all; execute applies it with the job's cwd.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BgError } from '../../src/api/errors.js';
import { checkAllowed } from '../../src/engine/admission/allowlist.js';
import { loadConfig } from '../../src/config.js';
import { openEngine, type EngineHarness } from '../helpers/engine.js';

const PATTERNS = ['^echo( |$)', '^cat ', '^cd ', '^git ', '^exec ', '^true$'];
let cwd: string;
let outside: string;

beforeAll(() => {
  cwd = realpathSync(mkdtempSync(join(tmpdir(), 'bgjobs-redirects-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'bgjobs-outside-')));
  mkdirSync(join(cwd, 'sub'));
  symlinkSync(outside, join(cwd, 'escape'));
  symlinkSync(join(outside, 'not-yet'), join(cwd, 'dangling'));
  symlinkSync(join(cwd, 'sub'), join(cwd, 'inside-link'));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const check = (line: string, mode: 'cwd' | 'any' | 'none' = 'cwd') =>
  checkAllowed(line, PATTERNS, { mode, cwd });

function refusal(line: string, mode: 'cwd' | 'any' | 'none' = 'cwd'): BgError {
  try {
    check(line, mode);
  } catch (error) {
    if (error instanceof BgError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(line)} to be refused`);
}

describe('redirections under an allowlist', () => {
  it.each([
    'echo hi > out.txt',
    'echo hi >> sub/log',
    'echo hi >| out.txt',
    'echo hi 2> err.txt',
    'echo hi > ./sub/../out.txt',
    'echo hi > inside-link/x',
    'echo hi > new-dir/x',
    'echo hi > /dev/null 2>&1',
    'echo hi 2>/dev/null >&2',
    'echo hi >/dev/stderr',
    'echo hi 3>&1 1>&2 2>&3 3>&-',
    'cat < /etc/hostname',
    'cat <<EOF > out.txt\nhello\nEOF',
  ])('allows %j', (line) => {
    expect(() => check(line.replace('CWD', cwd))).not.toThrow();
  });

  it('allows an absolute path inside the working directory', () => {
    expect(() => check(`echo hi > ${cwd}/sub/x`)).not.toThrow();
  });

  it.each([
    ["echo '…' >> ~/.bashrc", 'known only when the line runs'],
    ['echo hi > /etc/cron.d/x', '/etc/cron.d/x'],
    ['echo hi >> ../x', 'outside'],
    ['echo hi > sub/../../x', 'outside'],
    ['echo hi > escape/x', 'outside'],
    ['echo hi > dangling', 'symlink'],
    ['echo hi > missing/../../x', 'known only when the line runs'],
    ['echo hi > $HOME/x', 'known only when the line runs'],
    ['echo hi > "$OUT"', 'known only when the line runs'],
    ['echo hi > $(echo x)', 'known only when the line runs'],
    ['echo hi > *.txt', 'known only when the line runs'],
    ['echo hi >| /tmp/x', 'outside'],
    ['echo hi 1<> /tmp/x', 'outside'],
    ['echo hi >& /tmp/x', 'outside'],
    ['echo hi 2>/tmp/x', 'outside'],
    ['{ echo hi; } > /tmp/x', 'outside'],
    ['(echo hi) >> /tmp/x', 'outside'],
    ['if true; then echo; fi > /tmp/x', 'outside'],
    ['echo $(echo hi > /tmp/x)', 'outside'],
    ['exec 3> /tmp/x', 'outside'],
    ['cd sub && echo hi > x', 'cd'],
  ])('refuses %j', (line, why) => {
    const error = refusal(line);
    expect(error.code).toBe('not_allowed');
    expect(error.message).toContain(why);
    expect(error.message).toContain('BGJOBS_ALLOW_REDIRECTS');
    expect(error.data).toMatchObject({ reason: 'redirect' });
  });

  it('refuses `&>`, which dash reads as `&` then a bare redirection', () => {
    expect(refusal('echo hi &>> /tmp/x').code).toBe('not_allowed');
    expect(refusal('echo hi &> out.txt').code).toBe('not_allowed');
  });

  it('names the command it refuses before looking at where the line writes', () => {
    expect(refusal('rm x > /tmp/y').data).toMatchObject({ reason: 'unlisted' });
  });

  it('lifts the rule with any, and allows no file with none', () => {
    expect(() => check("echo '…' >> ~/.bashrc", 'any')).not.toThrow();
    expect(() => check('echo hi > /tmp/x', 'any')).not.toThrow();
    expect(refusal('echo hi > out.txt', 'none').message).toContain('out.txt');
    expect(() => check('echo hi > /dev/null 2>&1', 'none')).not.toThrow();
  });
});

describe('BGJOBS_ALLOW_REDIRECTS', () => {
  it.each([
    [undefined, undefined],
    ['cwd', 'cwd'],
    ['any', 'any'],
    ['1', 'any'],
    ['none', 'none'],
    ['0', 'none'],
  ])('reads %j as %j', (raw, mode) => {
    const env = raw === undefined ? {} : { BGJOBS_ALLOW_REDIRECTS: raw };
    expect(loadConfig({ BGJOBS_HOME: '/tmp/x', ...env }).allowRedirects).toBe(mode);
  });

  it('refuses a value it does not know', () => {
    expect(() =>
      loadConfig({ BGJOBS_HOME: '/tmp/x', BGJOBS_ALLOW_REDIRECTS: 'yes please' }),
    ).toThrow(/BGJOBS_ALLOW_REDIRECTS/);
  });
});

describe('redirections at execute', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await openEngine();
  });
  afterAll(async () => {
    await h.close();
  });
  const caller = (allowRedirects?: 'any') => ({
    caller: { ...h.caller, cwd, allowedCommands: ['^echo '], allowRedirects },
  });

  it("refuses a write outside the job's cwd, and runs one inside it", async () => {
    await expect(
      h.engine.execute({ command: `echo hi >> ${outside}/.bashrc` }, caller()),
    ).rejects.toMatchObject({ code: 'not_allowed' });
    await expect(
      h.engine.execute({ command: 'echo hi > x', cwd: outside }, caller()),
    ).resolves.toHaveProperty('job_id');
    await expect(
      h.engine.execute({ command: 'echo hi > ../x', cwd: 'sub' }, caller()),
    ).rejects.toMatchObject({ code: 'not_allowed' });
    const job = await h.engine.execute({ command: 'echo hi > sub/x' }, caller());
    await h.engine.wait({ job_id: job.job_id, timeout_s: 30 });
    const any = await h.engine.execute({ command: `echo hi >> ${outside}/y` }, caller('any'));
    expect((await h.engine.wait({ job_id: any.job_id, timeout_s: 30 })).jobs[0]?.status).toBe(
      'completed',
    );
  });
});
