/**
 * Turning a job's output bytes into text a model can read, and finding safe places to cut a
 * byte stream (so a read never splits a UTF-8 character or an escape sequence in two).
 */

// Terminal escape sequences (ECMA-48), in the order they must be tried.
const ESCAPE_SEQUENCE = new RegExp(
  [
    // CSI: ESC [ parameters intermediates final, including private modes like ESC [ ? 25 l.
    '\\x1b\\[[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]',
    // OSC, DCS, SOS, PM, APC strings, ended by BEL or ST (ESC \). The body stops at any ESC,
    // so an unterminated string costs one scan up to the next ESC, never a quadratic search.
    '\\x1b[\\]PX^_][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)',
    // nF sequences: intermediates then a final byte, like the charset select ESC ( B.
    '\\x1b[\\x20-\\x2f]+[\\x30-\\x7e]',
    // Single-character sequences: ESC 7, ESC 8, ESC M, ESC =, ESC c ...
    '\\x1b[\\x30-\\x7e]',
  ].join('|'),
  'g',
);

// Controls a model has no use for: C0 except \t and \n (\r is handled before), DEL and C1.
// eslint-disable-next-line no-control-regex
const UNWANTED_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Decodes output for a model: lenient UTF-8 (an invalid byte becomes U+FFFD, it never throws)
 * and, unless `raw`, without terminal escapes, with `\r` progress lines collapsed to what a
 * terminal would finally show, and without other control characters.
 *
 * @example
 * toModelText(Buffer.from('\x1b[32mok\x1b[0m\n10%\r100%\n'), false); // 'ok\n100%\n'
 */
export function toModelText(buf: Uint8Array, raw: boolean): string {
  const text = decoder.decode(buf);
  if (raw) return text;
  return collapseCarriageReturns(text.replace(ESCAPE_SEQUENCE, '')).replace(UNWANTED_CONTROLS, '');
}

// The same controls but \r, for a reader that draws `\r` progress lines itself.
// eslint-disable-next-line no-control-regex
const UNWANTED_CONTROLS_BUT_CR = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

/**
 * Text without terminal escapes and control characters, `\r` kept: for a reader that shows
 * progress lines as a terminal does (the CLI following a job).
 *
 * @example
 * stripControls('\x1b[32m10%\x1b[0m\r100%\n'); // '10%\r100%\n'
 */
export function stripControls(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(UNWANTED_CONTROLS_BUT_CR, '');
}

/**
 * Keeps, of each line, the last segment a `\r` did not overwrite: `10%\r50%\r100%\n` is
 * `100%\n`. `\r\n` is a plain newline. A line whose last segment is empty (`50%\r`) keeps the
 * last non-empty one, so a progress line still being drawn shows its latest state.
 */
export function collapseCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => (line.includes('\r') ? lastNonEmpty(line.split('\r')) : line))
    .join('\n');
}

function lastNonEmpty(segments: string[]): string {
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    if (segment) return segment;
  }
  return '';
}

/**
 * How many bytes (0–3) at the end of `buf` begin a UTF-8 character that is not complete yet.
 * A reader holds them back so the next read starts on a character boundary.
 *
 * @example
 * incompleteUtf8Tail(Buffer.from([0x61, 0xe2, 0x82])); // 2: the first two bytes of '€'
 */
export function incompleteUtf8Tail(buf: Uint8Array): number {
  for (let back = 1; back <= Math.min(4, buf.length); back++) {
    const byte = buf[buf.length - back] ?? 0;
    if (isContinuation(byte)) continue;
    return utf8Length(byte) > back ? back : 0;
  }
  // Only continuation bytes: not a character in progress, just invalid bytes.
  return 0;
}

/**
 * How many continuation bytes (0–3) open `buf`: a read that begins inside a character (at the
 * start of the kept window, say) skips them rather than show U+FFFD.
 */
export function leadingContinuationBytes(buf: Uint8Array): number {
  let count = 0;
  while (count < 3 && count < buf.length && isContinuation(buf[count] ?? 0)) count++;
  return count;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

// The length a lead byte announces; an invalid lead counts as a character of its own.
function utf8Length(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

// An escape sequence longer than this is not held back: it is not one a terminal would wait for.
const MAX_HELD_ESCAPE = 256;

/**
 * How many bytes at the end of `buf` are an escape sequence that has begun but not ended
 * (`\x1b[3` of `\x1b[31m`). A reader of text for a model holds them back, as for UTF-8, so a
 * colour code cut by a read boundary does not show as `1m` in the next read.
 */
export function incompleteEscapeTail(buf: Uint8Array): number {
  const from = Math.max(0, buf.length - MAX_HELD_ESCAPE);
  const esc = buf.lastIndexOf(0x1b);
  if (esc < from) return 0;
  return escapeIsOpen(buf.subarray(esc + 1)) ? buf.length - esc : 0;
}

// Whether `rest` (what follows the last ESC) could still grow into a complete sequence.
function escapeIsOpen(rest: Uint8Array): boolean {
  const kind = rest[0];
  if (kind === undefined) return true;
  if (kind === 0x5b) return csiIsOpen(rest.subarray(1));
  // OSC ] DCS P SOS X PM ^ APC _: no ESC follows (this is the last one), so only BEL ends it.
  if (kind === 0x5d || kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) {
    return !rest.includes(0x07);
  }
  if (kind >= 0x20 && kind <= 0x2f) return rest.every((byte) => byte >= 0x20 && byte <= 0x2f);
  return false;
}

function csiIsOpen(body: Uint8Array): boolean {
  for (const byte of body) {
    if (byte >= 0x40 && byte <= 0x7e) return false;
    // Anything but a parameter or intermediate byte breaks the sequence: nothing to wait for.
    if (byte < 0x20 || byte > 0x3f) return false;
  }
  return true;
}
