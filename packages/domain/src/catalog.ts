/** Shapes of the catalogue records the projection keeps (last writer wins per field). */
import type { z } from 'zod';
import type { Role } from './event-fields.ts';
import type * as p from './event-payloads.ts';
import type { BaseUnit } from './quantity.ts';

export interface ProductRecord {
  created: boolean;
  sku: string;
  name: string;
  category: string;
  barcode: string;
  hsn: string;
  unit: BaseUnit;
  mrp: number;
  sellingPrice: number;
  costPrice: number;
  minStock: number;
  maxStock: number;
  reorderQty: number;
  perishable: boolean;
  shelfLifeDays: number;
  discontinued: boolean;
}

export type CustomerRecord = z.infer<typeof p.customerCreated> & { created: boolean };
export type SupplierRecord = z.infer<typeof p.supplierCreated> & { created: boolean };
export type ShopRecord = z.infer<typeof p.shopConfigured>;

export interface StaffRecord {
  name: string;
  role: Role;
  phone: string;
  removed: boolean;
}

export interface DeviceRecord {
  code: string;
  name: string;
  kind: 'till' | 'server' | 'phone';
  revoked: boolean;
}

export type OrderStatus = 'pending' | 'confirmed' | 'packed' | 'completed' | 'cancelled';

export interface OrderRecord {
  placed: z.infer<typeof p.orderPlaced> & { day: string };
  status: Exclude<OrderStatus, 'completed' | 'pending'>;
}
