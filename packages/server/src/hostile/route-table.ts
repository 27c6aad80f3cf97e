/**
 * The routes an application actually serves, read from Hono's own route table (not from a list kept
 * by hand), each joined with its declaration when it has one. Hostile tests sweep this table, so a
 * route added tomorrow is fuzzed and attacked without anyone remembering to add it.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { REGISTRY, type Access, type RouteSpec } from '../http/route.ts';

export type Spec = RouteSpec<Access, z.ZodType, z.ZodType, z.ZodType>;

/** One served route: method, Hono path (with `:param` and `:param{regex}`), and its declaration. */
export interface LiveRoute {
  method: string;
  path: string;
  /** `METHOD path`, for messages and lookups. */
  key: string;
  /** Path parameter names, in order. */
  params: string[];
  /** The declaration (schemas, access, roles); undefined for an undeclared route such as `/health`. */
  spec: Spec | undefined;
}

/** Every route `app` serves, in registration order; middleware (`ALL`) is left out. */
export function liveRoutes(app: Hono<AppEnv>): LiveRoute[] {
  const out = new Map<string, LiveRoute>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    if (out.has(key)) continue;
    const spec = REGISTRY.find((s) => s.method.toUpperCase() === r.method && s.path === r.path);
    out.set(key, { method: r.method, path: r.path, key, params: paramNames(r.path), spec });
  }
  return [...out.values()];
}

const PARAM = /:([A-Za-z0-9_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g;

/** Names of a Hono path's parameters: `/a/:id{[0-9]+}/b/:x` → `['id', 'x']`. */
export function paramNames(path: string): string[] {
  return [...path.matchAll(PARAM)].map((m) => m[1] ?? '');
}

/**
 * A concrete URL path for a Hono path. `values` gives each parameter's text; it is percent-encoded
 * unless `raw` is set (junk that must reach the router as written, such as `%ZZ` or `..`).
 */
export function fillPath(
  path: string,
  values: Readonly<Record<string, string>>,
  opts: { raw?: boolean } = {},
): string {
  return path.replace(PARAM, (_m, name: string) => {
    const value = values[name] ?? crypto.randomUUID();
    return opts.raw === true ? value : encodeURIComponent(value);
  });
}

/** The JSON Schema (request side) of one part of a route's input, or undefined. */
export function inputSchema(
  route: LiveRoute,
  part: 'params' | 'query' | 'body',
): Record<string, unknown> | undefined {
  const schema = route.spec?.[part];
  if (!schema) return undefined;
  try {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    return json;
  } catch {
    return {};
  }
}
