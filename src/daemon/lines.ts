/** Newline-delimited JSON framing for the daemon's socket, free of zod (the CLI loads it). */

/** The longest line either side accepts; a command is at most 64 KiB, env a few more. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** Splits a byte stream into lines, refusing any line longer than MAX_LINE_BYTES. */
export class LineSplitter {
  private buffer = '';
  feed(chunk: string, onLine: (line: string) => void): void {
    this.buffer += chunk;
    let index: number;
    while ((index = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, index);
      this.buffer = this.buffer.slice(index + 1);
      if (line.trim() !== '') onLine(line);
    }
    if (this.buffer.length > MAX_LINE_BYTES) {
      this.buffer = '';
      throw new Error(`a message longer than ${MAX_LINE_BYTES} bytes`);
    }
  }
}
