// Real Chromium (Debian's, installed by .ci/run) driven by playwright-core, for the dashboard's
// browser tests and bench. No browser is downloaded: the system one is used.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

import { chromium, type Browser } from 'playwright-core';

/** The system Chromium: BGJOBS_CHROMIUM, else `chromium` (or `chromium-browser`) on PATH. */
export function chromiumPath(): string {
  const given = process.env.BGJOBS_CHROMIUM;
  if (given !== undefined && given !== '') return given;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  throw new Error(
    'No Chromium found: install it (apt-get install chromium) or set BGJOBS_CHROMIUM.',
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
