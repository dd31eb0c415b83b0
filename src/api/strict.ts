import { z } from 'zod';

/**
 * Inputs that refuse what they do not know. A misspelt or unknown field (`timeout` for
 * `timeout_s`, a parameter of another version) is an error naming the field and the nearest
 * known one, never dropped in silence; the published JSON Schema says
 * `additionalProperties: false`. The message is the zod issue's own, so the MCP SDK's input
 * validation, the socket and `parseInput` all say the same.
 *
 * @example
 * export const killInputSchema = inputObject({ job_id: jobRefSchema });
 * // kill({ job_id: 'x', signl: 'SIGINT' }) → unknown field "signl" (did you mean "signal"?)
 */
export function inputObject<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
): z.ZodObject<Shape, z.core.$strict> {
  return z.strictObject(shape, { error: unknownFieldsMessage });
}

/**
 * SHAPE's fields, each described as "As in TOOL." — for fields a tool shares with one listed
 * before it: every session reads the whole listing, so it says what a field means once.
 *
 * @example
 * export const promptInputSchema = inputObject({ prompt, ...describedIn('execute', { name }) });
 */
export function describedIn<Shape extends Record<string, z.ZodType>>(
  tool: string,
  shape: Shape,
): Shape {
  const described = Object.entries(shape).map(([field, schema]) => [
    field,
    schema.describe(`As in ${tool}.`),
  ]);
  return Object.fromEntries(described) as Shape;
}

/**
 * SCHEMA, its default left out of the published JSON Schema: for a default the listing already
 * says in words (a wait's end, a job that outlives the chat). The default still applies.
 */
export function defaultUnlisted<S extends z.ZodType>(schema: S): S {
  return schema.meta({ default: undefined });
}

/**
 * An object field published as a bare object, its fields said in DESCRIPTION instead: for a
 * small object whose field names and a few words tell a model all it needs, at a fraction of
 * the listing's bytes. The server still takes only those fields, and refuses others by name.
 */
export function fieldsInWords<S extends z.ZodType>(schema: S, description: string): S {
  return schema.describe(description).meta({ properties: undefined, required: undefined });
}

/** The message of an unrecognized_keys issue; other issues keep zod's own. */
function unknownFieldsMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
    ?.shape;
  const known = Object.keys(shape ?? {});
  return issue.keys.map((key) => unknownFieldMessage(key, known)).join('; ');
}

/** `unknown field "timeout" (did you mean "timeout_s"?)`, or the known fields when none is near. */
export function unknownFieldMessage(field: string, known: readonly string[]): string {
  const nearest = nearestName(field, known);
  if (nearest !== undefined) return `unknown field "${field}" (did you mean "${nearest}"?)`;
  return known.length === 0
    ? `unknown field "${field}" (this takes no fields)`
    : `unknown field "${field}" (known fields: ${known.join(', ')})`;
}

/**
 * The known name nearest to NAME: ignoring case and `-`/`_`, one that contains it or that it
 * contains, else the fewest edits away, if that is at most a third of its length (at least 2).
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const plain = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  const target = plain(name);
  if (target === '') return undefined;
  let best: { name: string; cost: number } | undefined;
  for (const candidate of known) {
    const other = plain(candidate);
    const contains = other.includes(target) || target.includes(other);
    // Containment wins over edits; among those, the closest in length.
    const cost = contains
      ? Math.abs(other.length - target.length) / 100
      : editDistance(target, other);
    if (best === undefined || cost < best.cost) best = { name: candidate, cost };
  }
  if (best === undefined) return undefined;
  return best.cost < 1 || best.cost <= Math.max(2, Math.floor(target.length / 3))
    ? best.name
    : undefined;
}

/** Levenshtein distance, with an adjacent swap counting as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + same);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.length, b.length);
}
