import type { z } from 'zod';

/** The parts of a Standard Schema (and its JSON Schema extension) the MCP SDK uses. */
interface StandardParts {
  vendor: string;
  validate: (value: unknown) => unknown;
  jsonSchema?: {
    input: (options: JsonSchemaOptions) => Record<string, unknown>;
    output: (options: JsonSchemaOptions) => Record<string, unknown>;
  };
}
interface JsonSchemaOptions {
  target: string;
}

/**
 * A tool's schema as the MCP SDK takes it — a Standard Schema that validates with zod, so every
 * refusal keeps its message — published as a compact JSON Schema. Every session pays for the
 * tool listing in its context, so the listing keeps what tells a model how to call (types,
 * enums, defaults, required fields, descriptions, no unknown fields) and leaves out the bounds
 * it never needs to know beforehand (lengths, sizes, patterns) and the defaults that go without
 * saying (false, []), which the server still applies and enforces with a clear error.
 */
export function publishedSchema<S extends z.ZodType>(schema: S): S {
  const std = schema['~standard'] as unknown as StandardParts;
  const jsonSchema = std.jsonSchema;
  if (jsonSchema === undefined) return schema;
  const published = {
    '~standard': {
      version: 1,
      vendor: std.vendor,
      validate: std.validate.bind(std),
      jsonSchema: {
        input: (options: JsonSchemaOptions) => compact(jsonSchema.input(options)),
        output: (options: JsonSchemaOptions) => compact(jsonSchema.output(options)),
      },
    },
  };
  return published as unknown as S;
}

/** Keywords that bound a value rather than say what it is: enforced, not published. */
const BOUNDS = new Set([
  '$schema',
  'propertyNames',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

/** A copy of a JSON Schema without the bounding keywords, at every depth. */
export function compact<T>(node: T): T {
  if (Array.isArray(node)) return node.map(compact) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (BOUNDS.has(key)) continue;
    // An option that is off, or empty, unless given says nothing by saying so.
    if (key === 'default' && (value === false || (Array.isArray(value) && value.length === 0))) {
      continue;
    }
    // Property names are data, not keywords: keep them all, compacting their schemas.
    out[key] =
      key === 'properties' && value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>).map(([name, s]) => [name, compact(s)]),
          )
        : compact(value);
  }
  return out as T;
}
