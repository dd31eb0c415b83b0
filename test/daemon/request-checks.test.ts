// Proves: the daemon's client refuses an `execute` whose command is over the 64 KiB limit
// before anything is sent (with no daemon to send it to, the refusal is still the limit's), in
// bytes as the daemon counts them; a command at the limit is not refused by the client.
import { afterEach, beforeEach, expect, it } from 'vitest';

import { DaemonClient } from '../../src/daemon/client.js';
import { MAX_COMMAND_BYTES } from '../../src/api/limits.js';
import { makeHome, type TestHome } from '../helpers/home.js';

let home: TestHome;
let client: DaemonClient;
beforeEach(() => {
  home = makeHome();
  // No daemon runs, and none may be started: whatever reaches the socket fails as unavailable.
  client = new DaemonClient(home.config(), false);
});
afterEach(async () => {
  client.close();
  await home.cleanup();
});

it('refuses a 7 MiB command before sending it', async () => {
  const command = 'x'.repeat(7 * 1024 * 1024);
  const refused = client.execute({ command });
  await expect(refused).rejects.toMatchObject({ code: 'invalid_input' });
  await expect(refused).rejects.toThrow(/^The command is 7340032 bytes; the limit is 65536\./);
});

it('counts bytes as the daemon does: multi-byte characters over the limit are refused', async () => {
  // 30,000 characters of 3 bytes each: within the limit in characters, over it in bytes.
  const command = `echo ${'€'.repeat(30_000)}`;
  await expect(client.execute({ command })).rejects.toMatchObject({ code: 'invalid_input' });
});

it('sends a command at the limit on to the daemon', async () => {
  const command = `echo ${'x'.repeat(MAX_COMMAND_BYTES - 5)}`;
  await expect(client.execute({ command })).rejects.toMatchObject({
    code: 'daemon_unavailable',
  });
});
