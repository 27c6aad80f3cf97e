/** The REST API over the shop's books (products, sales, inventory, accounting, khata, GST, …). */
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

export function apiRoutes(_app: Hono<AppEnv>): void {
  // Filled in by the route modules of this group.
}
