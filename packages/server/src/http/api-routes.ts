/** The REST API over the shop's books (products, sales, inventory, accounting, khata, GST, …). */
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { bookRoutes } from './api-books.ts';
import { conflictRoutes } from './api-conflicts.ts';
import { customerRoutes } from './api-customers.ts';
import { gstRoutes } from './api-gst.ts';
import { inventoryRoutes } from './api-inventory.ts';
import { orderRoutes } from './api-orders.ts';
import { dashboardRoutes } from './api-dashboard.ts';
import { docsRoutes } from './docs-page.ts';
import { productRoutes } from './api-products.ts';
import { invoiceRoutes } from './api-invoices.ts';
import { journalRoutes } from './api-journal.ts';
import { saleRoutes } from './api-sales.ts';
import { supplierRoutes } from './api-suppliers.ts';
import { importRoutes } from './api-import.ts';
import { shopRoutes } from './shop-routes.ts';

/** Register every route group of the REST API. */
export function apiRoutes(app: Hono<AppEnv>): void {
  productRoutes(app);
  saleRoutes(app);
  orderRoutes(app);
  inventoryRoutes(app);
  bookRoutes(app);
  journalRoutes(app);
  dashboardRoutes(app);
  customerRoutes(app);
  supplierRoutes(app);
  gstRoutes(app);
  invoiceRoutes(app);
  conflictRoutes(app);
  importRoutes(app);
  shopRoutes(app);
  docsRoutes(app);
}
