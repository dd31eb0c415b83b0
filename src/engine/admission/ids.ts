import { randomBytes } from 'node:crypto';

import { BgError, ErrorCode } from '../../api/errors.js';
import { JOB_ID_PATTERN, JOB_NAME_PATTERN } from '../../api/job.js';

// 32 symbols, 8 of them: 40 bits, short enough for a model to copy, long enough not to collide.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function newJobId(): string {
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/** A job reference is an id or a name; anything else (paths, shell text) is refused up front. */
export function parseJobRef(ref: string): { id?: string; name?: string } {
  if (JOB_ID_PATTERN.test(ref))
    return { id: ref, name: JOB_NAME_PATTERN.test(ref) ? ref : undefined };
  if (JOB_NAME_PATTERN.test(ref)) return { name: ref };
  throw new BgError(
    ErrorCode.invalidInput,
    `"${printable(ref)}" is not a job id or name. Ids look like "k3f9x2qa"; call \`list\` to see the jobs.`,
  );
}

export function validateName(name: string): string {
  if (!JOB_NAME_PATTERN.test(name) || JOB_ID_PATTERN.test(name)) {
    throw new BgError(
      ErrorCode.invalidInput,
      `Name "${printable(name)}" is not usable: start with a letter, use letters, digits, ".", "_", ":" or "-", at most 64 characters, and not 8 lowercase letters/digits (that is the shape of a job id).`,
    );
  }
  return name;
}

/** Shortens and de-controls text quoted back in an error message. */
export function printable(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
