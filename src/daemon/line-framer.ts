/** What is kept of a line longer than the limit: its size, and its first and last bytes. */
export interface OversizedLine {
  bytes: number;
  head: string;
  tail: string;
}

// Enough of each end of a dropped line to read a JSON-RPC or socket request's id.
const KEEP_BYTES = 4096;

/**
 * Splits a byte stream into newline-delimited lines, holding at most `maxBytes` of one line.
 * A longer line is not buffered: its bytes are counted and dropped up to its newline, and
 * `onOversized` is told its size and ends (so the sender can be answered), then framing goes
 * on with the next line. Linear in the bytes fed, however the stream is chunked.
 *
 * @example
 * const framer = new LineFramer(MAX, (line) => handle(line.toString('utf8')), (big) => refuse(big));
 * socket.on('data', (chunk: Buffer) => framer.push(chunk));
 */
export class LineFramer {
  private readonly maxBytes: number;
  private readonly onLine: (line: Buffer) => void;
  private readonly onOversized: (line: OversizedLine) => void;
  private parts: Buffer[] = [];
  private size = 0;
  private dropping: { bytes: number; head: Buffer; tail: Buffer } | undefined;

  constructor(
    maxBytes: number,
    onLine: (line: Buffer) => void,
    onOversized: (line: OversizedLine) => void,
  ) {
    this.maxBytes = maxBytes;
    this.onLine = onLine;
    this.onOversized = onOversized;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (end > start) this.take(chunk.subarray(start, end));
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** Forgets any partial line. */
  clear(): void {
    this.parts = [];
    this.size = 0;
    this.dropping = undefined;
  }

  private take(piece: Buffer): void {
    if (this.dropping !== undefined) {
      this.dropping.bytes += piece.length;
      this.dropping.tail = lastBytes(Buffer.concat([this.dropping.tail, lastBytes(piece)]));
      return;
    }
    if (this.size + piece.length <= this.maxBytes) {
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    // Over the limit: keep copies of the ends (so the chunks can be freed), drop the rest.
    const bytes = this.size + piece.length;
    this.dropping = {
      bytes,
      head: Buffer.concat([...this.parts, piece], Math.min(bytes, KEEP_BYTES)),
      tail: Buffer.from(lastBytes(piece)),
    };
    this.parts = [];
    this.size = 0;
  }

  private endLine(): void {
    const { dropping } = this;
    if (dropping !== undefined) {
      this.dropping = undefined;
      this.onOversized({
        bytes: dropping.bytes,
        head: dropping.head.toString('utf8'),
        tail: dropping.tail.toString('utf8'),
      });
      return;
    }
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    // A `\r\n` sender's line, and blank lines between messages, are no messages of their own.
    const text = line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
    if (text.length > 0) this.onLine(text);
  }
}

/**
 * The id of a JSON object (a JSON-RPC message, a socket request) too large to parse, from its
 * ends: `{"id":7,…` or `{"jsonrpc":"2.0","id":7,…` at its start, or `…,"id":7}` at its end
 * (where the SDK puts it). Undefined when neither end shows one.
 */
export function peekId(line: OversizedLine): number | string | undefined {
  const match = HEAD_ID.exec(line.head) ?? TAIL_ID.exec(line.tail);
  const raw = match?.[1];
  if (raw === undefined) return undefined;
  try {
    const id: unknown = JSON.parse(raw);
    return typeof id === 'number' || typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const ID_VALUE = String.raw`(-?\d{1,16}|"(?:[^"\\]|\\.){0,256}")`;
const HEAD_ID = new RegExp(
  String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID_VALUE}`,
);
// The last member of the outermost object: a nested object or a string would end in } or ".
const TAIL_ID = new RegExp(String.raw`[{,]\s*"id"\s*:\s*${ID_VALUE}\s*\}\s*$`);

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length <= KEEP_BYTES ? buffer : buffer.subarray(buffer.length - KEEP_BYTES);
}
