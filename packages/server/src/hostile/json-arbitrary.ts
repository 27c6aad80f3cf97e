/**
 * fast-check arbitraries for hostile input: values shaped by a route's own JSON Schema (so many of
 * them are valid and reach deep into the handler), then mutated — wrong types, dropped and extra
 * keys, `__proto__` and `constructor` keys, huge strings and arrays, boundary numbers, broken
 * Unicode. Fields are also drawn by name from pools of real values (the shop's ids, phones,
 * secrets) so that mutations start from requests that would otherwise succeed.
 */
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown>;

/** Values for a field by its name (ids of real records, known phones); undefined for none. */
export type NamedPool = (name: string) => fc.Arbitrary<unknown> | undefined;

const MAX_DEPTH = 6;

/** Values following `schema` (JSON Schema as zod emits it), with `pool` consulted per field name. */
export function fromSchema(schema: unknown, pool: NamedPool, depth = 0): fc.Arbitrary<unknown> {
  if (!isObject(schema) || depth > MAX_DEPTH) return fc.jsonValue({ maxDepth: 2 });
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0)
    return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s) => fromSchema(s, pool, depth + 1)));
  const type = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
  const arbs = type.map((t) => ofType(String(t), schema, pool, depth));
  return arbs.length === 1 && arbs[0] ? arbs[0] : fc.oneof(...arbs);
}

function ofType(
  type: string,
  schema: JsonSchema,
  pool: NamedPool,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'object':
      return objectOf(schema, pool, depth);
    case 'array': {
      const minLength = num(schema.minItems) ?? 0;
      const maxLength = Math.min(num(schema.maxItems) ?? 4, minLength + 3);
      return fc.array(fromSchema(schema.items, pool, depth + 1), { minLength, maxLength });
    }
    case 'string':
      return stringOf(schema);
    case 'integer': {
      const min = Math.max(num(schema.minimum) ?? -1e6, Number.MIN_SAFE_INTEGER);
      const max = Math.min(num(schema.maximum) ?? 1e6, Number.MAX_SAFE_INTEGER);
      return max < min ? fc.constant(min) : fc.integer({ min, max });
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: JsonSchema, pool: NamedPool, depth: number): fc.Arbitrary<unknown> {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, sub] of Object.entries(props)) {
    const named = pool(name);
    const generated = fromSchema(sub, pool, depth + 1);
    fields[name] = named
      ? fc.oneof({ arbitrary: named, weight: 3 }, { arbitrary: generated, weight: 1 })
      : generated;
  }
  const record = fc.record(fields, { requiredKeys: [...required].filter((k) => k in fields) });
  if (Object.keys(props).length > 0 || !isObject(schema.additionalProperties)) return record;
  // A map (`z.record`): a few entries with keys of the declared shape.
  const keys = isObject(schema.propertyNames) ? stringOf(schema.propertyNames) : fc.string();
  return fc.dictionary(keys.map(String), fromSchema(schema.additionalProperties, pool, depth + 1), {
    maxKeys: 3,
  });
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = num(schema.minLength) ?? 0;
  const maxLength = num(schema.maxLength);
  if (typeof schema.pattern === 'string') {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(schema.pattern);
    } catch {
      pattern = undefined;
    }
    if (pattern)
      return fc
        .stringMatching(pattern)
        .map((s) => (maxLength === undefined ? s : s.slice(0, maxLength)));
  }
  return fc.string({ minLength, maxLength: Math.min(maxLength ?? 40, minLength + 40) });
}

/** Values no schema expects: wrong types, boundary numbers, broken Unicode, huge and deep values. */
export function junkValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
    {
      arbitrary: fc.constantFrom<unknown>(
        null,
        true,
        false,
        0,
        -1,
        0.5,
        1e308,
        -1e308,
        2 ** 53,
        -(2 ** 53),
        Number.MAX_SAFE_INTEGER + 2,
        '',
        ' ',
        '\u0000',
        '\ud800',
        '\udfff\ud800',
        '\u202e\u200b',
        '१२३',
        "' or 1=1 --",
        '"; drop table events; --',
        '../../etc/passwd',
        '%00%ff',
        '<script>alert(1)</script>',
        'NaN',
        '1e309',
        '2026-02-30',
        [],
        {},
      ),
      weight: 4,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 50 }), weight: 2 },
    { arbitrary: fc.constant('\u{1d11e}'.repeat(2_000)), weight: 1 },
    { arbitrary: fc.constant('x'.repeat(5_000)), weight: 1 },
    { arbitrary: fc.constant(Array.from({ length: 1_500 }, (_, i) => i)), weight: 1 },
    { arbitrary: fc.integer({ min: 2, max: 300 }).map(deeplyNested), weight: 1 },
  );
}

/** Keys that are dangerous as plain property names. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
] as const;

/** One edit of a JSON value; `at` (0..1) picks the node it applies to. */
export type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'add-key'; at: number; key: string; value: unknown }
  | { kind: 'repeat'; at: number; times: number }
  | { kind: 'stringify'; at: number }
  | { kind: 'wrap'; at: number };

/** Random mutations. */
export function mutation(): fc.Arbitrary<Mutation> {
  const at = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
  return fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at, value: junkValue() }),
    fc.record({ kind: fc.constant('delete' as const), at }),
    fc.record({
      kind: fc.constant('add-key' as const),
      at,
      key: fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 12 })),
      value: junkValue(),
    }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at,
      times: fc.constantFrom(2, 3, 501, 1_001, 2_500),
    }),
    fc.record({ kind: fc.constant('stringify' as const), at }),
    fc.record({ kind: fc.constant('wrap' as const), at }),
  );
}

/** `value` after `mutations`, each applied to a node picked among all nodes of the current value. */
export function applyMutations(value: unknown, mutations: readonly Mutation[]): unknown {
  let root: unknown = structuredClone(value);
  for (const m of mutations) root = applyOne(root, m);
  return root;
}

function applyOne(root: unknown, m: Mutation): unknown {
  const nodes = allNodes(root);
  const target = nodes[Math.floor(m.at * nodes.length)] ?? nodes[0];
  if (!target) return root;
  const current = target.get();
  switch (m.kind) {
    case 'replace':
      return target.set(structuredClone(m.value));
    case 'delete':
      return target.remove();
    case 'add-key': {
      const holder = isObject(current) ? current : isObject(root) ? root : undefined;
      const value = structuredClone(m.value);
      if (!holder) return target.set({ [m.key]: value });
      defineOwn(holder, m.key, value);
      return root;
    }
    case 'repeat': {
      // Bounded so the body stays a few MiB: over every size limit, within what a test can build.
      const size = stringified(current)?.length ?? 1;
      const times = Math.max(2, Math.min(m.times, Math.floor(8e6 / size)));
      return target.set(
        Array.isArray(current) && current.length > 0
          ? Array.from({ length: times }, (_, i) => current[i % current.length] as unknown)
          : Array.from({ length: times }, () => current),
      );
    }
    case 'stringify':
      return target.set(stringified(current) ?? 'undefined');
    case 'wrap':
      return target.set([current]);
  }
}

interface NodeRef {
  get(): unknown;
  /** Replace the node; returns the (possibly new) root. */
  set(v: unknown): unknown;
  /** Remove the node from its parent; returns the root. */
  remove(): unknown;
}

function allNodes(root: unknown): NodeRef[] {
  const out: NodeRef[] = [];
  let current = root;
  out.push({
    get: () => current,
    set: (v) => (current = v),
    remove: () => undefined,
  });
  const visit = (node: unknown, budget: { left: number }): void => {
    if (budget.left <= 0) return;
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        budget.left -= 1;
        out.push({
          get: () => node[i] as unknown,
          set: (v) => ((node[i] = v), current),
          remove: () => (node.splice(i, 1), current),
        });
        visit(child, budget);
      });
    } else if (isObject(node)) {
      for (const key of Object.keys(node)) {
        budget.left -= 1;
        out.push({
          get: () => node[key],
          set: (v) => (defineOwn(node, key, v), current),
          remove: () => (Reflect.deleteProperty(node, key), current),
        });
        visit(node[key], budget);
      }
    }
  };
  visit(root, { left: 2_000 });
  return out;
}

/** Set an own, enumerable property even for `__proto__` (plain assignment would set the prototype). */
export function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `{"a":{"a":…1…}}`, `depth` levels deep. */
export function deeplyNested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** JSON text of a value; undefined for `undefined` (which `JSON.stringify`'s type hides). */
export function stringified(v: unknown): string | undefined {
  const text: string | undefined = JSON.stringify(v);
  return text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
