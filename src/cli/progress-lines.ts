import { collapseCarriageReturns } from '../logs/text.js';

/**
 * A followed job's output as a terminal would show it. On a terminal, `\r` goes through and the
 * terminal redraws the line in place. Into a pipe or a file, a line redrawn with `\r` is written
 * once, in its last state, when it ends: its states never run together (`10%50%100%`). A line
 * without `\r` is written as it comes, so a prompt (`Name: `) shows before its newline.
 *
 * @example
 * const lines = new ProgressLines(false);
 * lines.push('\r10%'); // ''
 * lines.push('\r100%\ndone\n'); // '100%\ndone\n'
 */
export class ProgressLines {
  private readonly terminal: boolean;
  /** The end of the current line, held back because a `\r` may redraw it. */
  private held = '';
  /** Part of the current line was written already. */
  private started = false;

  constructor(terminal: boolean) {
    this.terminal = terminal;
  }

  /** What to write of `text`, the next piece of the stream. */
  push(text: string): string {
    if (this.terminal) return text;
    const lines = (this.held + text).split('\n');
    const unfinished = lines.pop() ?? '';
    let out = '';
    for (const line of lines) {
      out += `${this.finish(line)}\n`;
    }
    this.held = '';
    if (unfinished.includes('\r')) this.held = unfinished;
    else if (unfinished !== '') {
      out += unfinished;
      this.started = true;
    }
    return out;
  }

  /** What is still held back, once the stream has ended (a progress line never finished). */
  end(): string {
    if (this.terminal || this.held === '') return '';
    const rest = this.finish(this.held);
    this.held = '';
    return rest;
  }

  // The last state of a line; a line begun already starts again below, not glued to it.
  private finish(line: string): string {
    const last = collapseCarriageReturns(line);
    const redrawn = this.started && line.replace(/\r$/, '').includes('\r');
    this.started = false;
    return redrawn ? `\n${last}` : last;
  }
}
