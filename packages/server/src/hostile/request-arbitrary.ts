/**
 * Hostile requests for one route, as fast-check plans: path parameters (real ids of this shop and
 * another, unknown ids, raw junk such as `%ZZ` or `..`), query strings from the route's schema plus
 * junk and repeated keys, any credential of the world (or a malformed Authorization header), odd
 * content types and protocol versions, and a body that is schema-shaped and then mutated, random
 * JSON, invalid UTF-8, truncated, deeply nested, or over the size limit.
 */
import fc from 'fast-check';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../sync/protocol.ts';
import {
  applyMutations,
  fromSchema,
  junkValue,
  mutation,
  type Mutation,
  stringified,
  type NamedPool,
} from './json-arbitrary.ts';
import type { Probe } from './probe.ts';
import { fillPath, inputSchema, type LiveRoute } from './route-table.ts';
import { CASHIER_PIN, OWNER_PASSWORD, TOKEN_NAMES, type TokenName, type World } from './world.ts';

export type BodyPlan =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; mutations: Mutation[] }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; prefix: string; bytes: number[] }
  | { kind: 'deep'; depth: number; objects: boolean }
  | { kind: 'oversize'; bytes: number };

export type Auth =
  { kind: 'token'; name: TokenName } | { kind: 'none' } | { kind: 'header'; value: string };

export interface RequestPlan {
  method: string;
  params: Record<string, string>;
  rawParams: boolean;
  query: [string, string][];
  rawQuery: string;
  auth: Auth;
  contentType: string | undefined;
  protocol: string | undefined;
  body: BodyPlan;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const RAW_SEGMENTS = [
  '..',
  '%2e%2e%2f',
  '%ZZ',
  '%00',
  '%E0%A4%A',
  '%F0%9F%98%80',
  "'%20or%201%3D1--",
  '-1',
  'null',
  '__proto__',
  'constructor',
  'a'.repeat(5_000),
];

/** Values drawn by field name, so that generated requests name real records and credentials. */
export function worldPool(world: World): NamedPool {
  const { a, b } = world.ids;
  const idOf = (name: string) => {
    const known = [a[name], b[name]].filter((v): v is string => v !== undefined);
    if (name === 'deviceId') known.push(...Object.values(world.devices));
    return known.length === 0 ? undefined : fc.oneof(fc.constantFrom(...known), fc.uuid());
  };
  return (name) => {
    switch (name) {
      case 'phone':
        return fc.oneof(
          fc.constantFrom(world.phones.ownerA, world.phones.cashierA, world.phones.ownerB),
          fc.stringMatching(/^[6-9]\d{9}$/),
        );
      case 'password':
      case 'currentPassword':
        return fc.constantFrom(OWNER_PASSWORD, 'not the password');
      case 'pin':
        return fc.oneof(fc.constant(CASHIER_PIN), fc.stringMatching(/^\d{4,6}$/));
      case 'code':
        return fc.stringMatching(/^\d{6}$/);
      case 'secret':
        return fc.constantFrom(world.a.till.secret, 'not the secret');
      case 'refreshToken':
        return fc.constantFrom(...world.refreshTokens, 'not-a-refresh-token');
      default:
        return idOf(name);
    }
  };
}

/** Plans of hostile requests to `route` of `world`. */
export function requestPlan(world: World, route: LiveRoute): fc.Arbitrary<RequestPlan> {
  const pool = worldPool(world);
  const paramValue = (name: string) =>
    pool(name) ?? fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 20 }));
  const params = fc.record(
    Object.fromEntries(route.params.map((p) => [p, paramValue(p).map(String)])),
  );
  const querySchema = inputSchema(route, 'query');
  const bodySchema = inputSchema(route, 'body');
  return fc.record({
    method: fc.oneof(
      { arbitrary: fc.constant(route.method), weight: 9 },
      { arbitrary: fc.constantFrom(...METHODS), weight: 1 },
    ),
    params: fc.oneof({ arbitrary: params, weight: 4 }, { arbitrary: rawParams(route), weight: 1 }),
    rawParams: fc.boolean(),
    query: queryPairs(querySchema, pool),
    rawQuery: fc.oneof(
      { arbitrary: fc.constant(''), weight: 6 },
      fc.constantFrom('&%ZZ=%E0%A4', '&limit=1&limit=2', '&offset=1e400', '&format=csv', '&&=&'),
    ),
    auth: authPlan(),
    contentType: fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 12 },
      fc.constantFrom(
        undefined,
        'application/json; charset=utf-16',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'APPLICATION/JSON',
      ),
    ),
    protocol: fc.oneof(
      { arbitrary: fc.constant(String(PROTOCOL_VERSION)), weight: 12 },
      fc.constantFrom(undefined, '0', '-1', '1.5', 'abc', '99999999999999999999'),
    ),
    body: bodyPlan(bodySchema, pool),
  });
}

function rawParams(route: LiveRoute): fc.Arbitrary<Record<string, string>> {
  return fc.record(
    Object.fromEntries(route.params.map((p) => [p, fc.constantFrom(...RAW_SEGMENTS)])),
  );
}

function authPlan(): fc.Arbitrary<Auth> {
  return fc.oneof(
    {
      arbitrary: fc.constant<Auth>({ kind: 'token', name: 'ownerA' }),
      weight: 10,
    },
    {
      arbitrary: fc.constantFrom(...TOKEN_NAMES).map((name): Auth => ({ kind: 'token', name })),
      weight: 8,
    },
    { arbitrary: fc.constant<Auth>({ kind: 'none' }), weight: 1 },
    {
      arbitrary: fc
        .constantFrom('Bearer', 'Bearer ', 'Basic b3duZXI6cGFzcw==', `Bearer ${'a'.repeat(5_000)}`)
        .map((value): Auth => ({ kind: 'header', value })),
      weight: 1,
    },
  );
}

function queryPairs(schema: unknown, pool: NamedPool): fc.Arbitrary<[string, string][]> {
  const declared = schema ? fromSchema(schema, pool) : fc.constant({});
  const junkPairs = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom('limit', 'offset', 'from', 'to', 'days', 'after', 'q'), fc.string()),
      fc.oneof(
        fc.string(),
        fc.constantFrom('-5', 'abc', '1e400', '9'.repeat(30), '2026-13-45', '%00', ''),
      ),
    ),
    { maxLength: 2 },
  );
  return fc.tuple(declared, junkPairs).map(([values, junk]) => {
    const pairs: [string, string][] = [];
    if (values && typeof values === 'object' && !Array.isArray(values))
      for (const [k, v] of Object.entries(values)) {
        for (const item of Array.isArray(v) ? v : [v])
          pairs.push([k, typeof item === 'string' ? item : JSON.stringify(item)]);
      }
    return [...pairs, ...junk];
  });
}

function bodyPlan(schema: unknown, pool: NamedPool): fc.Arbitrary<BodyPlan> {
  const shaped = schema ? fromSchema(schema, pool) : fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('json' as const),
        value: shaped,
        mutations: fc.constant<Mutation[]>([]),
      }),
      weight: 5,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('json' as const),
        value: shaped,
        mutations: fc.array(mutation(), { minLength: 1, maxLength: 3 }),
      }),
      weight: 8,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('json' as const),
        value: junkValue(),
        mutations: fc.constant<Mutation[]>([]),
      }),
      weight: 2,
    },
    { arbitrary: fc.constant<BodyPlan>({ kind: 'none' }), weight: 1 },
    {
      arbitrary: fc
        .constantFrom('', ' ', '{', '{"a":1}x', 'NaN', '\ufeff{}', '{"a":1,"a":2}', 'null', '[]')
        .map((text): BodyPlan => ({ kind: 'text', text })),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('bytes' as const),
        prefix: fc.constantFrom('{"name":"', '{"phone":"', '["', ''),
        bytes: fc.array(fc.constantFrom(0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xc0, 0xaf), {
          minLength: 1,
          maxLength: 6,
        }),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('deep' as const),
        depth: fc.constantFrom(1_000, 100_000),
        objects: fc.boolean(),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.constant<BodyPlan>({ kind: 'oversize', bytes: 4 * 1024 * 1024 + 1 }),
      weight: 1,
    },
  );
}

/** The request a plan describes. */
export function toProbe(world: World, route: LiveRoute, plan: RequestPlan): Probe {
  const query = new URLSearchParams(plan.query).toString();
  const path = `${fillPath(route.path, plan.params, { raw: plan.rawParams })}?${query}${plan.rawQuery}`;
  const headers: Record<string, string> = {};
  if (plan.contentType !== undefined) headers['content-type'] = plan.contentType;
  if (plan.protocol !== undefined) headers[PROTOCOL_HEADER] = plan.protocol;
  if (plan.auth.kind === 'token') headers.authorization = `Bearer ${world.tokens[plan.auth.name]}`;
  if (plan.auth.kind === 'header') headers.authorization = plan.auth.value;
  return { method: plan.method, path, headers, body: bodyOf(plan.body) };
}

/** The bytes or text a body plan sends (undefined: no body). */
export function bodyOf(body: BodyPlan): string | Uint8Array | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return stringified(applyMutations(body.value, body.mutations)) ?? '';
    case 'text':
      return body.text;
    case 'bytes':
      return new Uint8Array([
        ...new TextEncoder().encode(body.prefix),
        ...body.bytes,
        ...new TextEncoder().encode('"}'),
      ]);
    case 'deep':
      return body.objects
        ? `${'{"a":'.repeat(body.depth)}1${'}'.repeat(body.depth)}`
        : `${'['.repeat(body.depth)}${']'.repeat(body.depth)}`;
    case 'oversize':
      return `{"name":"${'x'.repeat(body.bytes)}"}`;
  }
}
