/**
 * GST routes on SQLite and Postgres: a B2C, a B2B and an inter-state sale, a void and a credit note
 * give the expected GST summary and GSTR-1 sections; invoices by number as JSON and printable HTML
 * (escaped, bill of supply for a composition shop); roles, tenancy, bad input and CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { financialYear, istDate } from '@smartkirana/domain/calendar';
import { withGstinChecksum } from '@smartkirana/domain/gst';
import { signAccessToken } from '../auth/tokens.ts';
import { createShop } from '../shops.ts';
import { dialects, type TestServer } from '../testing/index.ts';
import {
  caller,
  createDemoProducts,
  idOf,
  receiveOpeningStock,
  startApiShop,
  type Caller,
} from './api-testing.ts';

const FY = financialYear(istDate(Date.now()));
const BUYER_GSTIN = withGstinChecksum('27AAACH1234K1Z');

interface Sale {
  saleId: string;
  invoiceNo: string;
}
interface Heads {
  cgst: number;
  sgst: number;
  igst: number;
}

for (const dialect of await dialects()) {
  describe(`GST API (${dialect})`, () => {
    let server: TestServer;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let ids: Map<string, string>;
    let b2b: Sale;
    let creditNoteNo: string;

    beforeAll(async () => {
      ({ server, owner, cashier, stranger, ids } = await startApiShop(dialect));
      const sku = (s: string): string => idOf(ids, s);
      await receiveOpeningStock(owner, ids, {
        'TEA-250': 20,
        'OIL-1L': 10,
        'RICE-BSM': 10_000,
        'SALT-1K': 10,
      });
      await owner.post('/api/v1/sales', { lines: [{ productId: sku('TEA-250'), qty: 2 }] });
      b2b = (
        await owner.post<Sale>('/api/v1/sales', {
          lines: [{ productId: sku('OIL-1L'), qty: 2 }],
          buyer: { name: 'Hotel <Sagar> & Sons', gstin: BUYER_GSTIN, stateCode: '27' },
        })
      ).body;
      await owner.post('/api/v1/sales', {
        lines: [{ productId: sku('RICE-BSM'), qty: 2000 }],
        placeOfSupply: '29',
      });
      const salt = await owner.post<Sale>('/api/v1/sales', {
        lines: [{ productId: sku('SALT-1K'), qty: 1 }],
      });
      await owner.post(`/api/v1/sales/${salt.body.saleId}/void`, { reason: 'rung twice' });
      const note = await owner.post<{ creditNoteNo: string }>(
        `/api/v1/sales/${b2b.saleId}/refund`,
        { lines: [{ line: 0, qty: 1 }] },
      );
      creditNoteNo = note.body.creditNoteNo;
    });
    afterAll(async () => {
      await server.close();
    });

    it('summarises output and input tax', async () => {
      const res = await owner.get<{ output: Heads; input: Heads; net: Heads }>(
        '/api/v1/gst/summary',
      );
      expect(res.status).toBe(200);
      expect(res.body.output).toEqual({ cgst: 690 + 833 - 417, sgst: 690 + 833 - 417, igst: 1048 });
      expect(res.body.input).toEqual({ cgst: 12_000, sgst: 12_000, igst: 0 });
      expect(res.body.net.cgst).toBe(1106 - 12_000);
    });

    it('builds the GSTR-1 sections', async () => {
      const r = await owner.get<{
        b2b: { invoiceNo: string; gstin: string }[];
        b2cl: unknown[];
        b2cs: { placeOfSupply: string; supply: string; taxable: number; igst: number }[];
        cdnr: { noteNo: string; invoiceNo: string }[];
        hsn: { hsn: string; uqc: string; qty: number }[];
        doc: { series: string; from: string; to: string; total: number; cancelled: number }[];
      }>('/api/v1/gst/gstr1');
      expect(r.body.b2b).toEqual([
        expect.objectContaining({ invoiceNo: b2b.invoiceNo, gstin: BUYER_GSTIN }),
      ]);
      expect(r.body.b2cl).toEqual([]);
      expect(r.body.b2cs).toEqual([
        expect.objectContaining({ placeOfSupply: '27', supply: 'intra', taxable: 27_620 }),
        expect.objectContaining({
          placeOfSupply: '29',
          supply: 'inter',
          taxable: 20_952,
          igst: 1048,
        }),
      ]);
      expect(r.body.cdnr).toEqual([
        expect.objectContaining({ noteNo: creditNoteNo, invoiceNo: b2b.invoiceNo }),
      ]);
      expect(r.body.hsn.map((h) => [h.hsn, h.uqc, h.qty])).toEqual([
        ['0902', 'NOS', 2],
        ['1006', 'KGS', 2],
        ['1507', 'NOS', 1],
      ]);
      expect(r.body.doc).toEqual([
        {
          series: `S01/${FY}`,
          kind: 'invoice',
          from: `S01/${FY}/000001`,
          to: `S01/${FY}/000004`,
          total: 4,
          cancelled: 1,
        },
        expect.objectContaining({ series: `S01C/${FY}`, kind: 'credit-note', total: 1 }),
      ]);
      const b2bCsv = await owner.get<string>('/api/v1/gst/gstr1/b2b?format=csv');
      expect(b2bCsv.type).toContain('text/csv');
      expect(b2bCsv.text).toContain(BUYER_GSTIN);
      const hsn = await owner.get<{ total: number }>('/api/v1/gst/gstr1/hsn');
      expect(hsn.body.total).toBe(3);
      const empty = await owner.get<{ b2b: unknown[] }>(
        '/api/v1/gst/gstr1?from=2020-04-01&to=2020-04-30',
      );
      expect(empty.body.b2b).toEqual([]);
    });

    it('finds invoices and credit notes by number, and prints them', async () => {
      const json = await owner.get<{ kind: string; document: { total: number; status: string } }>(
        `/api/v1/invoices/${b2b.invoiceNo}`,
      );
      expect(json.status).toBe(200);
      expect(json.body.kind).toBe('tax-invoice');
      expect(json.body.document).toMatchObject({ total: 35_000, status: 'partially-returned' });
      const encoded = await owner.get(`/api/v1/invoices/${encodeURIComponent(b2b.invoiceNo)}`);
      expect(encoded.status).toBe(200);
      const note = await owner.get<{ kind: string; document: { saleId: string } }>(
        `/api/v1/invoices/${creditNoteNo}`,
      );
      expect(note.body).toMatchObject({ kind: 'credit-note', document: { saleId: b2b.saleId } });

      const html = await cashier.get<string>(`/api/v1/invoices/${b2b.invoiceNo}/print`);
      expect(html.status).toBe(200);
      expect(html.type).toContain('text/html');
      expect(html.text).toContain('Tax Invoice');
      expect(html.text).toContain('Hotel &lt;Sagar&gt; &amp; Sons');
      expect(html.text).not.toContain('<Sagar>');
      expect(html.text).toContain(BUYER_GSTIN);
      expect(html.text).toContain('1507');
      expect(html.text).toContain('Rupees Three Hundred Fifty Only');
      const printedNote = await owner.get<string>(`/api/v1/invoices/${creditNoteNo}/print`);
      expect(printedNote.text).toContain('Credit Note');
      expect(printedNote.text).toContain(`Against invoice ${b2b.invoiceNo}`);
    });

    it('prints a bill of supply for a composition shop', async () => {
      const s = server.services;
      const comp = await createShop(s, {
        name: 'Chhota Kirana',
        stateCode: '27',
        registration: 'composition',
        owner: { name: 'Ravi', phone: '7000000001', password: 'correct horse' },
      });
      const token = await signAccessToken(s.jwtKey, {
        typ: 'user',
        sub: comp.ownerId,
        shop: comp.shopId,
        role: 'owner',
      });
      const small = caller(server, token);
      const tea = (await createDemoProducts(small)).get('TEA-250') ?? '';
      const sale = await small.post<Sale & { documentType: string; lines: Heads[] }>(
        '/api/v1/sales',
        { lines: [{ productId: tea, qty: 1 }], allowOversell: true },
      );
      expect(sale.body.documentType).toBe('bill-of-supply');
      expect(sale.body.lines[0]).toMatchObject({ cgst: 0, sgst: 0, igst: 0 });
      const html = await small.get<string>(`/api/v1/invoices/${sale.body.invoiceNo}/print`);
      expect(html.text).toContain('Bill of Supply');
      expect(html.text).toContain('Composition taxable person, not eligible to collect tax');
    });

    it('guards roles, tenants and input', async () => {
      expect((await cashier.get('/api/v1/gst/summary')).status).toBe(403);
      expect((await cashier.get('/api/v1/gst/gstr1')).status).toBe(403);
      expect((await stranger.get(`/api/v1/invoices/${b2b.invoiceNo}`)).status).toBe(404);
      expect((await stranger.get(`/api/v1/invoices/${b2b.invoiceNo}/print`)).status).toBe(404);
      expect((await owner.get(`/api/v1/invoices/S01/${FY}/999999`)).status).toBe(404);
      expect((await owner.get('/api/v1/invoices/abc')).status).toBe(422);
      expect((await owner.get('/api/v1/gst/gstr1/b2x')).status).toBe(422);
      expect((await owner.get('/api/v1/gst/summary?from=2026-04-31')).status).toBe(422);
    });
  });
}
