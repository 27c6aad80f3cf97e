/**
 * A fast path for zod schemas: `compileSchema` walks a schema once and builds a validator from
 * plain closures that accepts exactly what zod accepts and returns the same output, or `INVALID`.
 *
 * zod stays the source of truth. The compiled validator only ever answers "valid, and here is the
 * value zod would have produced" or "not sure": anything it cannot decide on its own (a failed
 * check, a transform that would change a value, a schema kind it does not know) answers `INVALID`,
 * and the caller runs zod itself for the verdict and the precise issues. Checks it does not know
 * are run through zod's own check implementation. So it can be conservative but never laxer than
 * zod; `compiled-schema.test.ts` holds the two equal over valid and mutated events.
 *
 * Why: validating an incoming sale is a large share of the server's ingest time, and zod's generic
 * check loop (an issue list per field, a context per call) costs several times what the checks do.
 */
import type { z } from 'zod';

/** What a compiled validator returns when it cannot vouch for the input. */
export const INVALID: unique symbol = Symbol('invalid');

/** A compiled validator: zod's output for a valid input, else `INVALID`. */
export type Compiled<T> = (input: unknown) => T | typeof INVALID;

/** Compile a zod schema into a fast validator (see the module comment for its contract). */
export function compileSchema<T>(schema: z.ZodType<T>): Compiled<T> {
  return compileNode(schema as unknown as Node) as Compiled<T>;
}

// The parts of zod's internal representation the compiler reads. (zod 4 keeps a schema's
// definition in `_zod.def`; each check likewise keeps its own in `_zod.def`.)
interface Node {
  _zod: {
    def: Def;
    optin?: string;
    optout?: string;
    check?: (payload: CheckPayload) => unknown;
  };
  safeParse(input: unknown): { success: true; data: unknown } | { success: false };
}

interface Def {
  type: string;
  checks?: Node[];
  shape?: Record<string, Node>;
  catchall?: Node;
  element?: Node;
  innerType?: Node;
  options?: Node[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
  keyType?: Node;
  valueType?: Node;
  // check definitions
  check?: string;
  format?: string;
  pattern?: RegExp;
  value?: number | bigint;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  tx?: (value: unknown) => unknown;
  when?: (payload: CheckPayload) => boolean;
}

interface CheckPayload {
  value: unknown;
  issues: unknown[];
}

type Validate = (input: unknown) => unknown;
type Predicate = (value: never) => boolean;

function compileNode(node: Node): Validate {
  const def = node._zod.def;
  switch (def.type) {
    case 'string':
      return withChecks(
        (v) => (typeof v === 'string' ? v : INVALID),
        compileChecks(node, 'string'),
      );
    case 'number':
      return withChecks(
        (v) => (typeof v === 'number' && Number.isFinite(v) ? v : INVALID),
        compileChecks(node, 'number'),
      );
    case 'boolean':
      return withChecks(
        (v) => (typeof v === 'boolean' ? v : INVALID),
        compileChecks(node, 'other'),
      );
    case 'literal': {
      const values = def.values ?? [];
      return withChecks((v) => (values.includes(v) ? v : INVALID), compileChecks(node, 'other'));
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return withChecks((v) => (values.has(v) ? v : INVALID), compileChecks(node, 'other'));
    }
    case 'never':
      return () => INVALID;
    case 'optional': {
      const inner = compileNode(required(def.innerType));
      return withChecks(
        (v) => (v === undefined ? undefined : inner(v)),
        compileChecks(node, 'other'),
      );
    }
    case 'nullable': {
      const inner = compileNode(required(def.innerType));
      return withChecks((v) => (v === null ? null : inner(v)), compileChecks(node, 'other'));
    }
    case 'array':
      return withChecks(compileArray(required(def.element)), compileChecks(node, 'array'));
    case 'object': {
      const compiled = compileObject(def);
      return compiled ? withChecks(compiled, compileChecks(node, 'other')) : viaZod(node);
    }
    case 'record': {
      const compiled = compileRecord(def);
      return compiled ? withChecks(compiled, compileChecks(node, 'other')) : viaZod(node);
    }
    case 'union': {
      const compiled = compileUnion(def);
      return withChecks(compiled, compileChecks(node, 'other'));
    }
    default:
      // Transforms, pipes, defaults, lazies…: zod itself decides this part.
      return viaZod(node);
  }
}

/** Let zod decide a sub-schema (its result is exactly zod's output for that part). */
function viaZod(node: Node): Validate {
  return (v) => {
    const r = node.safeParse(v);
    return r.success ? r.data : INVALID;
  };
}

function required(node: Node | undefined): Node {
  if (!node) throw new Error('compileSchema: a schema definition is missing a part');
  return node;
}

function withChecks(base: Validate, checks: ((value: unknown) => boolean)[]): Validate {
  if (checks.length === 0) return base;
  return (input) => {
    const v = base(input);
    if (v === INVALID) return INVALID;
    for (const check of checks) if (!check(v)) return INVALID;
    return v;
  };
}

/** A schema's checks as predicates on its (already type-checked) value. */
function compileChecks(
  node: Node,
  kind: 'string' | 'number' | 'array' | 'other',
): ((value: unknown) => boolean)[] {
  return (node._zod.def.checks ?? []).map((check) => {
    const known = knownCheck(check._zod.def, kind);
    return (known as ((value: unknown) => boolean) | undefined) ?? viaZodCheck(check);
  });
}

/**
 * A check compiled inline. zod may skip a check when its `when` condition fails (a length check on
 * a value with no length); the compiled one always runs, which can only make it stricter than zod,
 * never laxer.
 */
function knownCheck(
  def: Def,
  kind: 'string' | 'number' | 'array' | 'other',
): Predicate | undefined {
  const bound = typeof def.value === 'number' ? def.value : undefined;
  switch (def.check) {
    case 'string_format':
      if (kind === 'string' && def.format === 'regex' && def.pattern) {
        const pattern = def.pattern;
        return (v: string) => {
          pattern.lastIndex = 0;
          return pattern.test(v);
        };
      }
      return undefined;
    case 'min_length':
      if ((kind === 'string' || kind === 'array') && def.minimum !== undefined) {
        const min = def.minimum;
        return (v: { length: number }) => v.length >= min;
      }
      return undefined;
    case 'max_length':
      if ((kind === 'string' || kind === 'array') && def.maximum !== undefined) {
        const max = def.maximum;
        return (v: { length: number }) => v.length <= max;
      }
      return undefined;
    case 'number_format':
      if (kind === 'number' && def.format === 'safeint')
        return (v: number) => Number.isSafeInteger(v);
      return undefined;
    case 'greater_than':
      if (kind !== 'number' || bound === undefined) return undefined;
      return def.inclusive ? (v: number) => v >= bound : (v: number) => v > bound;
    case 'less_than':
      if (kind !== 'number' || bound === undefined) return undefined;
      return def.inclusive ? (v: number) => v <= bound : (v: number) => v < bound;
    case 'overwrite': {
      // A transform in place (`trim`): the fast path only vouches for values it leaves unchanged.
      const tx = def.tx;
      return tx ? (v: unknown) => tx(v) === v : undefined;
    }
    default:
      return undefined;
  }
}

/** Run one check through zod's own implementation (refinements, formats not compiled here). */
function viaZodCheck(check: Node): (value: unknown) => boolean {
  const run = check._zod.check;
  const when = check._zod.def.when;
  if (!run) return () => false;
  return (value) => {
    const payload: CheckPayload = { value, issues: [] };
    if (when && !when(payload)) return true;
    const r = run(payload);
    // An asynchronous check cannot be decided here; zod will run it.
    if (r instanceof Promise) return false;
    return payload.issues.length === 0 && payload.value === value;
  };
}

function compileArray(element: Node): Validate {
  const item = compileNode(element);
  return (v) => {
    if (!Array.isArray(v)) return INVALID;
    const out: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const r = item(v[i]);
      if (r === INVALID) return INVALID;
      out[i] = r;
    }
    return out;
  };
}

function compileObject(def: Def): Validate | undefined {
  const shape = def.shape ?? {};
  if (Object.getOwnPropertySymbols(shape).length > 0) return undefined;
  const catchall = def.catchall?._zod.def.type;
  // Strict objects (`never`) refuse unknown keys; plain objects strip them. Others: zod decides.
  if (catchall !== undefined && catchall !== 'never') return undefined;
  const strict = catchall === 'never';
  const keys = Object.keys(shape).filter((k) => k !== '__proto__');
  const fields = keys.map((key) => {
    const node = required(shape[key]);
    return {
      key,
      validate: compileNode(node),
      optional: node._zod.optin === 'optional' && node._zod.optout === 'optional',
    };
  });
  const known = new Set(Object.keys(shape));
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return INVALID;
    const input = v as Record<string, unknown>;
    if (strict) for (const key in input) if (!known.has(key)) return INVALID;
    const out: Record<string, unknown> = {};
    for (const { key, validate, optional } of fields) {
      const present = key in input;
      if (!present) {
        if (optional) continue;
        return INVALID;
      }
      const r = validate(input[key]);
      if (r === INVALID) return INVALID;
      out[key] = r;
    }
    return out;
  };
}

function compileRecord(def: Def): Validate | undefined {
  if (!def.keyType || !def.valueType) return undefined;
  if (def.keyType._zod.def.type !== 'string') return undefined;
  const key = compileNode(def.keyType);
  const value = compileNode(def.valueType);
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return INVALID;
    const input = v as Record<string, unknown>;
    if (Object.getOwnPropertySymbols(input).length > 0) return INVALID;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(input)) {
      if (k === '__proto__' || key(k) !== k) return INVALID;
      const r = value(input[k]);
      if (r === INVALID) return INVALID;
      out[k] = r;
    }
    return out;
  };
}

function compileUnion(def: Def): Validate {
  const options = (def.options ?? []).map((o) => ({ node: o, validate: compileNode(o) }));
  const field = def.discriminator;
  if (field !== undefined) {
    // A discriminated union: pick the one option whose literal matches.
    const byTag = new Map<unknown, Validate>();
    let usable = true;
    for (const { node, validate } of options) {
      const tag = node._zod.def.shape?.[field]?._zod.def;
      if (tag?.type !== 'literal' || !tag.values) usable = false;
      else for (const value of tag.values) byTag.set(value, validate);
    }
    if (usable)
      return (v) => {
        if (typeof v !== 'object' || v === null) return INVALID;
        const validate = byTag.get((v as Record<string, unknown>)[field]);
        return validate ? validate(v) : INVALID;
      };
  }
  // Any other union: only an input exactly one option accepts is vouched for (zod decides ties).
  return (v) => {
    let found: unknown = INVALID;
    for (const { validate } of options) {
      const r = validate(v);
      if (r === INVALID) continue;
      if (found !== INVALID) return INVALID;
      found = r;
    }
    return found;
  };
}
