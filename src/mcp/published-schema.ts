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

export interface PublishOptions {
  /** Top-level fields the published input leaves out; the schema still takes and checks them. */
  unlisted?: readonly string[];
}

/**
 * A tool's schema as the MCP SDK takes it — a Standard Schema that validates with zod, so every
 * refusal keeps its message — published as a compact JSON Schema. Every session pays for the
 * tool listing in its context, so the listing keeps what tells a model how to call (types,
 * enums, defaults, required fields, descriptions, no unknown fields) and leaves out the bounds
 * it never needs to know beforehand (lengths, sizes, patterns) and the defaults that go without
 * saying (false, 0, []), which the server still applies and enforces with a clear error. Fields
 * in `unlisted` are not published at all (what a model cannot use here), yet still validated.
 */
export function publishedSchema<S extends z.ZodType>(schema: S, options: PublishOptions = {}): S {
  const std = schema['~standard'] as unknown as StandardParts;
  const jsonSchema = std.jsonSchema;
  if (jsonSchema === undefined) return schema;
  const published = {
    '~standard': {
      version: 1,
      vendor: std.vendor,
      validate: std.validate.bind(std),
      jsonSchema: {
        input: (target: JsonSchemaOptions) =>
          unlist(compact(jsonSchema.input(target), { narrow: true }), options.unlisted ?? []),
        output: (target: JsonSchemaOptions) => compact(jsonSchema.output(target)),
      },
    },
  };
  return published as unknown as S;
}

/** SCHEMA without the top-level properties named in FIELDS (nor among its required ones). */
function unlist(
  schema: Record<string, unknown>,
  fields: readonly string[],
): Record<string, unknown> {
  if (fields.length === 0 || !isObject(schema.properties)) return schema;
  const listed = (name: string): boolean => !fields.includes(name);
  const properties = Object.fromEntries(
    Object.entries(schema.properties).filter(([name]) => listed(name)),
  );
  const out: Record<string, unknown> = { ...schema, properties };
  if (Array.isArray(schema.required)) out.required = (schema.required as string[]).filter(listed);
  return out;
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

/**
 * A copy of a JSON Schema without the bounding keywords, at every depth, and without
 * `additionalProperties` `false` or `{}` below the top: the top keeps its `false`, which clients
 * may read, and the server refuses unknown fields at every depth. (A `type` stays even where an
 * `enum` or `items` implies it: some clients convert the schema for Gemini, which needs it.)
 * For an input (`narrow`), a field that takes one value or an array of them is published as the
 * array alone: the server still takes a single value.
 */
export function compact<T>(node: T, options: { narrow?: boolean } = {}): T {
  return compactNode(node, options.narrow ?? false, true) as T;
}

function compactNode(node: unknown, narrow: boolean, top: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => compactNode(item, narrow, false));
  if (!isObject(node)) return node;
  const schema = narrow ? oneOrMany(node) : node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (BOUNDS.has(key)) continue;
    if (key === 'additionalProperties' && !top && isClosedOrOpen(value)) continue;
    // An option that is off, zero or empty unless given says nothing by saying so.
    if (key === 'default' && isNothing(value)) continue;
    // Property names are data, not keywords: keep them all, compacting their schemas.
    out[key] =
      key === 'properties' && isObject(value)
        ? Object.fromEntries(
            Object.entries(value).map(([name, s]) => [name, compactNode(s, narrow, false)]),
          )
        : compactNode(value, narrow, false);
  }
  return out;
}

function isNothing(value: unknown): boolean {
  return value === false || value === 0 || (Array.isArray(value) && value.length === 0);
}

/** `false` or `{}`: below the top, what a model needs no telling (a map's value type it does). */
function isClosedOrOpen(value: unknown): boolean {
  return value === false || (isObject(value) && Object.keys(value).length === 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `anyOf: [X, {type: array, items: X}]` becomes the array schema, with the node's other keys. */
function oneOrMany(node: Record<string, unknown>): Record<string, unknown> {
  const { anyOf, ...rest } = node;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return node;
  const [one, many] = anyOf as [unknown, unknown];
  const isArrayOfOne =
    isObject(many) && many.type === 'array' && JSON.stringify(many.items) === JSON.stringify(one);
  return isArrayOfOne ? { ...rest, ...many } : node;
}
