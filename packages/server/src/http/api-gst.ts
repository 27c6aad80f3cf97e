/**
 * GST returns for a period: the summary of output tax, input tax and what is payable, and the
 * GSTR-1 sections (b2b, b2cl, b2cs, cdnr, cdnur, hsn, doc) as JSON or one section at a time as a
 * list or CSV. Periods default to the current month (returns are filed monthly). Amounts in paise.
 */
import type { Hono } from 'hono';
import { gstr1, gstSummary, type Gstr1 } from '@smartkirana/domain/reports-gst';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { rangeQuery, resolveRange } from './api-range.ts';
import { readAs } from './api-support.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'gst';
const SECTIONS = ['b2b', 'b2cl', 'b2cs', 'cdnr', 'cdnur', 'hsn', 'doc'] as const;
type Section = (typeof SECTIONS)[number];

/** Register the GST routes. */
export function gstRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/gst/summary',
      summary: 'GST summary: output and input CGST / SGST / IGST, net payable, by rate',
      tag: TAG,
      access: 'user',
      query: rangeQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      return gstSummary(p, resolveRange(query, 'month'));
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/gst/gstr1',
      summary: 'GSTR-1 for a period: every section',
      tag: TAG,
      access: 'user',
      query: rangeQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      return gstr1(p, resolveRange(query, 'month'));
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/gst/gstr1/:section',
      summary: 'One GSTR-1 section as a list (invoice and note sections: one row per rate)',
      tag: TAG,
      access: 'user',
      csv: true,
      params: z.object({ section: z.enum(SECTIONS) }),
      query: listQuery.extend(rangeQuery.shape),
    },
    async (c, { params, query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const report = gstr1(p, resolveRange(query, 'month'));
      const rows = sectionRows(report, params.section);
      return sendList(c, query, rows, { name: `gstr1-${params.section}` });
    },
  );
}

/** A section as flat rows: invoices and notes are split into one row per tax rate. */
function sectionRows(r: Gstr1, section: Section): object[] {
  switch (section) {
    case 'b2b':
    case 'b2cl':
      return r[section].flatMap(({ items, ...inv }) => items.map((item) => ({ ...inv, ...item })));
    case 'cdnr':
    case 'cdnur':
      return r[section].flatMap(({ items, ...note }) =>
        items.map((item) => ({ ...note, ...item })),
      );
    case 'b2cs':
    case 'hsn':
    case 'doc':
      return r[section];
  }
}
