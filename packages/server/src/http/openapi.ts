/**
 * The OpenAPI 3.1 document, generated from the route declarations (`REGISTRY` in `route.ts`): every
 * declared route with its tag, summary, who may call it, path and query parameters, request body and
 * error shape, converted from the same zod schemas that validate requests (`z.toJSONSchema`, input
 * side: a field with a default is optional). Hono's `:param` and `:param{regex}` become `{param}`.
 */
import { z } from 'zod';
import { ERROR_STATUS } from '../errors.ts';
import { REGISTRY, type Access, type RouteSpec } from './route.ts';

type JsonSchema = Record<string, unknown>;
type Spec = RouteSpec<Access, z.ZodType, z.ZodType, z.ZodType>;

/** The OpenAPI document of every route declared so far. */
export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of REGISTRY) {
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method]: operation(spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SmartKirana API',
      version: '1',
      description:
        'Offline-first POS for kirana shops. Money is integer paise (₹1 = 100); quantities are ' +
        'integer base units (g, ml, pc). Every write becomes events; reads are derived from them. ' +
        'Errors are `{ error: { code, message, details? } }`. Lists take `limit`/`offset`, and ' +
        '`format=csv` where marked (the CSV holds every row, not one page).',
    },
    tags: [...new Set(REGISTRY.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}

/** Hono path → OpenAPI path: `/a/:id{[0-9]+}/b` → `/a/{id}/b`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, '{$1}');
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        message: { type: 'string' },
        details: {},
      },
    },
  },
};

function operation(spec: Spec): JsonSchema {
  const ok = spec.method === 'post' ? '201' : '200';
  const content: JsonSchema = {
    'application/json': { schema: spec.response ? jsonSchema(spec.response) : {} },
  };
  if (spec.csv) content['text/csv'] = { schema: { type: 'string' } };
  const error = {
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  return {
    tags: [spec.tag],
    summary: spec.summary,
    operationId: `${spec.method}${openApiPath(spec.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    ...(spec.access === 'public' ? { security: [] } : { security: [{ bearerAuth: [] }] }),
    'x-access': spec.access,
    ...(spec.roles ? { 'x-roles': spec.roles } : {}),
    ...(spec.csv ? { 'x-csv': true } : {}),
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(spec.body) } },
          },
        }
      : {}),
    responses: {
      [ok]: { description: 'OK', content },
      '4XX': { description: 'Refused: a stable error code, nothing stored', ...error },
    },
  };
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = jsonSchema(schema);
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

/** A zod schema as JSON Schema (request side); anything unrepresentable becomes `{}`. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  try {
    const out = {
      ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema),
    };
    delete out.$schema;
    return out;
  } catch {
    return {};
  }
}
