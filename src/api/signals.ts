import { constants } from 'node:os';

/**
 * The signals `kill` sends, and the one set of forms both the CLI and MCP accept for each: the
 * name with or without `SIG`, in any case, or its number (`SIGTERM`, `TERM`, `term`, `15`).
 * Free of zod, so the CLI's option parsers can use it without loading the schemas.
 */
export const SIGNALS = [
  'SIGTERM',
  'SIGKILL',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
] as const;

export type SignalName = (typeof SIGNALS)[number];

/** How the accepted forms are described, in the CLI's help and the MCP schema alike. */
export const SIGNAL_FORMS = `${SIGNALS.join(', ')}; also without SIG, in any case, or by number (TERM, term, 15)`;

/**
 * The signal `raw` names, or undefined when it names none that `kill` sends.
 *
 * @example
 * signalName('term'); // 'SIGTERM'
 * signalName(9); // 'SIGKILL'
 */
export function signalName(raw: string | number): SignalName | undefined {
  const text = String(raw).trim().toUpperCase();
  if (/^\d+$/.test(text)) {
    return SIGNALS.find((name) => constants.signals[name] === Number(text));
  }
  const name = text.startsWith('SIG') ? text : `SIG${text}`;
  return SIGNALS.find((known) => known === name);
}

/** The message for a signal `kill` does not send. */
export function unknownSignalMessage(raw: string | number): string {
  return `Unknown signal "${String(raw)}". Expected one of ${SIGNAL_FORMS}.`;
}
