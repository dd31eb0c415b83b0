// fast-check arbitraries for fuzzing: values shaped by a tool's published JSON Schema (with its
// boundaries), the same with one field made hostile, and hostile values of every kind.
import fc from 'fast-check';

type Schema = Record<string, unknown>;

const MIB = 1024 * 1024;

function nest(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** A lone surrogate, NUL, control characters, right-to-left marks: text no one should trust. */
const nastyChar = fc.constantFrom(
  '\0',
  '\ud800',
  '\udfff',
  '\u202e',
  '\r',
  '\n',
  '\u001b[2J',
  '\ufeff',
  '"',
  '\\',
  '$(',
  '`',
  '%s',
);

/** Strings: empty, long, NUL-laden, lone surrogates, any code point. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: nastyChar, maxLength: 32 }),
  fc.constantFrom('', ' ', '\0', '..', '../../../../etc/passwd', '/', '-', '--help', '*'),
  fc.constantFrom(64 * 1024, 64 * 1024 + 1, MIB).map((n) => 'x'.repeat(n)),
);

/** Values no schema wants: wrong types, huge numbers, deep JSON, prototype keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, -0, 0.5, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 63)),
  fc.double({ noNaN: true }),
  fc.integer({ min: 50, max: 2000 }).map((depth) => nest(depth, 'deep')),
  fc.constant(JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}')),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Values shaped by `schema` (JSON Schema as MCP tools publish it), boundaries included. */
export function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((s) => fromSchema(s, depth)));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
    case 'number':
      return numberFor(schema);
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = (schema.items ?? {}) as Schema;
      const max = Math.min(Number(schema.maxItems ?? 4), 4);
      return fc.array(fromSchema(items, depth + 1), { maxLength: max });
    }
    case 'object':
      return objectFor(schema, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  const min = Number(schema.minLength ?? 0);
  const max = schema.maxLength === undefined ? undefined : Number(schema.maxLength);
  const options: fc.Arbitrary<string>[] = [
    fc.string({ maxLength: 24 }),
    fc.constantFrom('x'.repeat(min), 'x'.repeat(Math.max(0, min - 1))),
  ];
  if (max !== undefined && max <= 2 * MIB) {
    options.push(fc.constantFrom('y'.repeat(max), 'y'.repeat(max + 1)));
  }
  if (typeof schema.pattern === 'string')
    options.push(fc.stringMatching(new RegExp(schema.pattern)));
  return fc.oneof(...options);
}

function numberFor(schema: Schema): fc.Arbitrary<number> {
  const integer = schema.type === 'integer';
  const min = Number(schema.minimum ?? schema.exclusiveMinimum ?? -1e6);
  const max = Number(schema.maximum ?? schema.exclusiveMaximum ?? 1e6);
  const inside = integer
    ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) })
    : fc.double({ min, max, noNaN: true });
  return fc.oneof(inside, fc.constantFrom(min, max, min - 1, max + 1, 0, 0.5, -0.5));
}

function objectFor(schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  if (Object.keys(properties).length === 0 || depth > 3) {
    return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), {
      maxKeys: 3,
    });
  }
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) shape[key] = fromSchema(sub, depth + 1);
  const required = (schema.required ?? []) as string[];
  return fc.record(shape, { requiredKeys: required });
}

/**
 * Arguments for a tool: mostly shaped by its schema; else with one field (or a new one) made
 * hostile; else a hostile value in place of the whole object.
 */
export function toolArguments(schema: Schema): fc.Arbitrary<unknown> {
  const shaped = fromSchema(schema);
  const keys = Object.keys(schema.properties ?? {});
  const spoiled = fc
    .tuple(shaped, fc.constantFrom(...keys, 'extra'), hostileValue)
    .map(([value, key, bad]) => ({ ...(value as Record<string, unknown>), [key]: bad }));
  return fc.oneof(
    { weight: 5, arbitrary: shaped },
    { weight: 4, arbitrary: spoiled },
    { weight: 1, arbitrary: hostileValue },
  );
}
