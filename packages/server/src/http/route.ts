/**
 * Declaring an HTTP route: its method, path, zod schemas for params, query and body, who may call
 * it, and its handler. Input is validated before the handler runs (422 `validation_failed` with the
 * zod issues); the same declarations generate the OpenAPI document served at `/api/openapi.json`.
 */
import type { Context, Hono } from 'hono';
import type { Role } from '@smartkirana/domain/event-fields';
import { z } from 'zod';
import type { AppEnv, Auth, DeviceAuth, UserAuth } from '../context.ts';
import { ApiError } from '../errors.ts';
import { authenticate } from '../auth/middleware.ts';

export type Access = 'public' | 'user' | 'device' | 'any';

type AuthFor<A extends Access> = A extends 'user'
  ? UserAuth
  : A extends 'device'
    ? DeviceAuth
    : A extends 'any'
      ? Auth
      : undefined;

export interface RouteSpec<
  A extends Access,
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono path, e.g. `/api/v1/products/:productId`. */
  path: string;
  summary: string;
  tag: string;
  access: A;
  /** Roles allowed (user access only); every role when omitted. */
  roles?: readonly Role[];
  /**
   * A revoked device may call this route (push only: what it sends is kept in quarantine, so a sale
   * already handed over is never lost). Every other route refuses a revoked device at once, even
   * while its access token has not expired.
   */
  revokedDevice?: 'allowed';
  params?: P;
  query?: Q;
  body?: B;
  /** Response body schema, for the documentation. */
  response?: z.ZodType;
  /** A CSV variant is available with `?format=csv`. */
  csv?: boolean;
}

export interface RouteInput<A extends Access, P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: AuthFor<A>;
}

/** Every declared route, in declaration order (for OpenAPI). */
export const REGISTRY: RouteSpec<Access, z.ZodType, z.ZodType, z.ZodType>[] = [];

/** Declare a route on `app`. The handler returns a JSON-able value or a `Response`. */
export function route<
  A extends Access,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(
  app: Hono<AppEnv>,
  spec: RouteSpec<A, P, Q, B>,
  handler: (
    c: Context<AppEnv>,
    input: RouteInput<A, z.infer<P>, z.infer<Q>, z.infer<B>>,
  ) => Promise<unknown>,
): void {
  if (!REGISTRY.some((r) => r.method === spec.method && r.path === spec.path)) {
    REGISTRY.push(spec);
  }
  app.on(spec.method.toUpperCase(), spec.path, async (c) => {
    const auth = spec.access === 'public' ? undefined : await authenticate(c, spec.access);
    if (auth && auth.kind === 'user' && spec.roles && !spec.roles.includes(auth.role)) {
      throw new ApiError('forbidden', `a ${auth.role} may not do this`);
    }
    if (auth?.kind === 'device' && auth.revoked && spec.revokedDevice !== 'allowed')
      throw new ApiError('device_revoked', 'the device was revoked');
    const params = spec.params ? parse(spec.params, c.req.param(), 'params') : undefined;
    const query = spec.query ? parse(spec.query, c.req.query(), 'query') : undefined;
    const body = spec.body ? parse(spec.body, await readJson(c), 'body') : undefined;
    const result = await handler(c, { params, query, body, auth } as RouteInput<
      A,
      z.infer<P>,
      z.infer<Q>,
      z.infer<B>
    >);
    if (result instanceof Response) return result;
    return c.json(result as object, spec.method === 'post' ? 201 : 200);
  });
}

/** Read a JSON body; a body that is not JSON is 400 `malformed_json`, a wrong type 415. */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  // No body at all reads as `{}`, so a route whose fields are all optional needs none.
  if (text === '' && type === '') return {};
  if (!type.includes('application/json'))
    throw new ApiError('unsupported_media_type', 'send application/json');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('malformed_json', 'the body is not valid JSON');
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiError('validation_failed', `invalid ${where}`, {
    issues: parsed.error.issues
      .slice(0, 20)
      .map((i) => ({ path: [where, ...i.path.map(String)], message: i.message })),
  });
}

/** A paginated list query: `limit` (1–500, default 50) and `offset`. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
