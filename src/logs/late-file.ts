import { closeSync, mkdir, open, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const makeDir = promisify(mkdir);
// The callback form gives a plain descriptor, closed here and nowhere else (a FileHandle
// left to the garbage collector would close it a second time).
const openFd = promisify(open);

/**
 * A file appended to from the moment it is asked for, though its folder is made and the file
 * opened in the background: what is written before then is held, in order, and written as soon
 * as it opens. A prompt job's answer file is one, so making the job's folder never delays the
 * request to the model. A failure to make or open it is thrown by `close`.
 *
 * @example
 * const answer = new LateFile(join(dir, 'stdout'));
 * answer.write('Hello');   // held until the file is open, then written
 * await answer.close();    // writes what is still held, closes; throws if it never opened
 */
export class LateFile {
  private fd: number | undefined;
  private held: string[] = [];
  private failure: Error | undefined;
  private closed = false;
  private readonly opened: Promise<void>;

  constructor(path: string) {
    this.opened = makeDir(dirname(path), { recursive: true, mode: 0o700 })
      .then(() => openFd(path, 'a', 0o600))
      .then(
        (fd) => {
          this.fd = fd;
          const held = this.held;
          this.held = [];
          for (const text of held) writeSync(fd, text);
        },
        (error: unknown) => {
          this.failure = asError(error);
        },
      );
  }

  /** Appends TEXT now if the file is open, else as soon as it opens. Throws a write error. */
  write(text: string): void {
    if (this.closed) throw new Error('write after close');
    if (this.fd === undefined) this.held.push(text);
    else writeSync(this.fd, text);
  }

  /** Waits for the file to open, writes what is held, and closes it; throws what went wrong. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let failure: Error | undefined;
    try {
      await this.opened;
    } catch (error) {
      // Writing what was held failed (a full disk); the file did open.
      failure = asError(error);
    }
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
    failure ??= fd === undefined ? this.failure : undefined;
    if (failure) throw failure;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
