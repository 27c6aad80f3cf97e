/**
 * The HTTP application: middleware (request id, services, body limit), every route group, and one
 * error handler that turns anything thrown into `{ error: { code, message, details? } }`. Bad input
 * is always a 4xx; a 500 means a bug and is logged with the request id, never with secrets.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv, Services } from './context.ts';
import { ApiError, errorBody } from './errors.ts';
import { registerRoutes } from './http/routes.ts';
import { staticRoutes } from './http/static.ts';
import { isUniqueViolation } from './auth/unique-violation.ts';

/** Build the application for a set of services. */
export function createApp(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('services', services);
    c.set('requestId', crypto.randomUUID());
    await next();
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: services.config.MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          errorBody('payload_too_large', `body over ${services.config.MAX_BODY_BYTES} bytes`),
          413,
        ),
    }),
  );
  registerRoutes(app);
  if (services.config.STATIC_DIR) staticRoutes(app, services.config.STATIC_DIR);
  app.notFound((c) => c.json(errorBody('not_found', 'no such route'), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json(
        errorBody(err.code, err.message, err.details),
        err.status as ContentfulStatusCode,
      );
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return c.json(
        errorBody('bad_request', 'the request could not be read'),
        status as ContentfulStatusCode,
      );
    }
    if (isUniqueViolation(err)) {
      // Two concurrent requests both passed a uniqueness check; the database refused the second.
      return c.json(errorBody('conflict', 'that already exists'), 409);
    }
    if (isStorageFailure(err)) {
      services.log.error('storage unavailable', { requestId: c.get('requestId'), error: err });
      return c.json(errorBody('unavailable', 'storage is unavailable; nothing was changed'), 503);
    }
    services.log.error('unhandled error', {
      requestId: c.get('requestId'),
      path: c.req.path,
      error: err,
    });
    return c.json(errorBody('internal', `internal error (request ${c.get('requestId')})`), 500);
  });
  return app;
}

/** Disk full, read-only or locked database: the server refuses cleanly and keeps what it acknowledged. */
function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    // 25006: a write in a read-only transaction (the database was made read-only under us).
    /^(SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN)|53100|25006|57P0[1-3]|08\d{3})/.test(code)
  );
}
