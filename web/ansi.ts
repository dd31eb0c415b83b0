// Output as lines of styled segments, fed in chunks as they arrive: ANSI colour codes (SGR)
// become classes, other escape sequences are dropped, `\r` rewrites the line (progress bars),
// and only the last MAX_LINES lines (MAX_CHARS characters) are kept, a line wrapping past
// MAX_LINE_CHARS, so a flood — with newlines or without — never grows the page without bound.

export const MAX_LINES = 5000;
export const MAX_LINE_CHARS = 4096;
export const MAX_CHARS = 2 * 1024 * 1024;

export interface Segment {
  text: string;
  /** CSS classes: `fg-1`, `bg-4`, `bold`, … (empty for plain text). */
  style: string;
}

export interface Line {
  id: number;
  segments: Segment[];
  stream: 'stdout' | 'stderr';
  /** The characters of its segments. */
  chars: number;
}

interface Pen {
  fg: number | null;
  bg: number | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

const PLAIN: Pen = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };

function styleOf(pen: Pen): string {
  const classes: string[] = [];
  if (pen.fg !== null) classes.push(`fg-${pen.fg}`);
  if (pen.bg !== null) classes.push(`bg-${pen.bg}`);
  if (pen.bold) classes.push('bold');
  if (pen.dim) classes.push('dim');
  if (pen.italic) classes.push('italic');
  if (pen.underline) classes.push('underline');
  return classes.join(' ');
}

function applySgr(pen: Pen, params: string): Pen {
  const codes = params === '' ? [0] : params.split(';').map((p) => Number(p) || 0);
  let next = { ...pen };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] ?? 0;
    if (code === 0) next = { ...PLAIN };
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 22) next = { ...next, bold: false, dim: false };
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code >= 30 && code <= 37) next.fg = code - 30;
    else if (code >= 90 && code <= 97) next.fg = code - 90 + 8;
    else if (code === 39) next.fg = null;
    else if (code >= 40 && code <= 47) next.bg = code - 40;
    else if (code >= 100 && code <= 107) next.bg = code - 100 + 8;
    else if (code === 49) next.bg = null;
    else if (code === 38 || code === 48) {
      // 256-colour and true-colour forms: keep the 16 basic colours, skip the rest.
      const mode = codes[i + 1];
      const value = codes[i + 2] ?? 0;
      if (mode === 5 && value < 16) next[code === 38 ? 'fg' : 'bg'] = value;
      i += mode === 5 ? 2 : mode === 2 ? 4 : 0;
    }
  }
  return next;
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b(?:\[([0-9;?]*)([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/** A stream's lines, fed chunk by chunk. */
export class AnsiLines {
  lines: Line[] = [];
  private nextId = 0;
  private pens: Record<Line['stream'], Pen> = { stdout: { ...PLAIN }, stderr: { ...PLAIN } };
  private open: Partial<Record<Line['stream'], Line>> = {};
  private carry: Record<Line['stream'], string> = { stdout: '', stderr: '' };
  private chars = 0;

  push(stream: Line['stream'], chunk: string): void {
    let text = this.carry[stream] + chunk;
    // An escape sequence cut in two by the chunk boundary waits for its end.
    // eslint-disable-next-line no-control-regex
    const cut = /\x1b[^a-zA-Z\x07]*$/.exec(text);
    this.carry[stream] = cut === null ? '' : cut[0];
    if (cut !== null) text = text.slice(0, cut.index);
    let last = 0;
    for (const match of text.matchAll(ESCAPE)) {
      this.write(stream, text.slice(last, match.index));
      if (match[2] === 'm') this.pens[stream] = applySgr(this.pens[stream], match[1] ?? '');
      last = match.index + match[0].length;
    }
    this.write(stream, text.slice(last));
    let drop = 0;
    while (this.lines.length - drop > MAX_LINES || this.chars > MAX_CHARS) {
      this.chars -= this.lines[drop]?.chars ?? 0;
      drop++;
    }
    if (drop > 0) this.lines = this.lines.slice(drop);
  }

  /** Notes that output was left out here. */
  gap(stream: Line['stream'], bytes: number): void {
    this.newLine(stream).segments.push({ text: `… ${bytes} bytes not shown …`, style: 'gap' });
    delete this.open[stream];
  }

  private write(stream: Line['stream'], text: string): void {
    const parts = text.split('\n');
    parts.forEach((part, index) => {
      if (index > 0) delete this.open[stream];
      const returns = part.split('\r');
      const tail = returns[returns.length - 1] ?? '';
      if (returns.length > 1) this.clear(this.lineOf(stream));
      if (tail === '' && index < parts.length - 1 && this.open[stream] === undefined) {
        this.newLine(stream);
      } else if (tail !== '') {
        this.append(stream, tail);
      }
    });
  }

  /** Adds text to the stream's open line, wrapping to a new line at MAX_LINE_CHARS. */
  private append(stream: Line['stream'], text: string): void {
    const style = styleOf(this.pens[stream]);
    for (let rest = text; rest !== '';) {
      const line = this.lineOf(stream);
      const piece = rest.slice(0, MAX_LINE_CHARS - line.chars);
      if (piece !== '') {
        line.segments.push({ text: piece, style });
        line.chars += piece.length;
        this.chars += piece.length;
        rest = rest.slice(piece.length);
      }
      if (line.chars >= MAX_LINE_CHARS) delete this.open[stream];
    }
  }

  private clear(line: Line): void {
    this.chars -= line.chars;
    line.chars = 0;
    line.segments = [];
  }

  private lineOf(stream: Line['stream']): Line {
    return this.open[stream] ?? this.newLine(stream);
  }

  private newLine(stream: Line['stream']): Line {
    const line: Line = { id: this.nextId++, segments: [], stream, chars: 0 };
    this.lines.push(line);
    this.open[stream] = line;
    return line;
  }
}

/** The plain text of a line (for search). */
export function lineText(line: Line): string {
  return line.segments.map((segment) => segment.text).join('');
}
