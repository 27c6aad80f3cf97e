/** Every route group of the server, registered in one place. */
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { syncRoutes } from '../sync/routes.ts';
import { replicationRoutes } from '../replication/routes.ts';
import { apiRoutes } from './api-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { healthRoutes } from './health.ts';

export function registerRoutes(app: Hono<AppEnv>): void {
  healthRoutes(app);
  syncRoutes(app);
  replicationRoutes(app);
  authRoutes(app);
  apiRoutes(app);
}
