import type { Trigger } from '../store/agent-store.js';

/** BGJOBS_CHANGED is capped at this many bytes; a last line says how many paths were left out. */
export const MAX_CHANGED_BYTES = 64 * 1024;

/** The changed paths of a trigger, newline-separated and capped, for BGJOBS_CHANGED and {{changed}}. */
export function changedText(trigger: Trigger): string {
  const paths = trigger.changed ?? [];
  const lines: string[] = [];
  let bytes = 0;
  for (const [index, path] of paths.entries()) {
    if (bytes + Buffer.byteLength(path) + 1 > MAX_CHANGED_BYTES) {
      lines.push(`… and ${paths.length - index} more`);
      break;
    }
    lines.push(path);
    bytes += Buffer.byteLength(path) + 1;
  }
  return lines.join('\n');
}

/** A prompt agent's prompt with `{{changed}}` (and `{{agent}}`, `{{trigger}}`) filled in. */
export function renderPrompt(prompt: string, agent: string, trigger: Trigger): string {
  return prompt
    .replaceAll('{{changed}}', changedText(trigger))
    .replaceAll('{{agent}}', agent)
    .replaceAll('{{trigger}}', trigger.kind);
}

/** Merges a trigger into one still pending: a queued run sees every path changed meanwhile. */
export function mergeTriggers(pending: Trigger | undefined, next: Trigger): Trigger {
  if (pending === undefined) return next;
  if (pending.changed === undefined && next.changed === undefined) return next;
  const changed = [...new Set([...(pending.changed ?? []), ...(next.changed ?? [])])].sort();
  return { kind: next.changed !== undefined ? next.kind : pending.kind, changed };
}
