/** Liveness and readiness. */
import type { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppEnv } from '../context.ts';
import { PROTOCOL_VERSION } from '../sync/protocol.ts';

export function healthRoutes(app: Hono<AppEnv>): void {
  app.get('/health', (c) => c.json({ status: 'ok', protocol: PROTOCOL_VERSION }));
  app.get('/ready', async (c) => {
    const services = c.get('services');
    try {
      await sql`select 1`.execute(services.db.db);
      return c.json({ status: 'ready', database: services.db.dialect });
    } catch {
      return c.json({ error: { code: 'unavailable', message: 'database unavailable' } }, 503);
    }
  });
}
