/** Authentication, staff and device routes. */
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

export function authRoutes(_app: Hono<AppEnv>): void {
  // Filled in by the route modules of this group.
}
