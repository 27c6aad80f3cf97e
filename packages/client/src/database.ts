/**
 * Opening the till's local database: RxDB on Dexie (IndexedDB in the browser, `fake-indexeddb` in
 * Node tests). One database per shop and device; it survives reloads, crashes and closed tabs.
 */
import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase } from 'rxdb';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import {
  eventSchema,
  historySchema,
  receiptSchema,
  type EventDoc,
  type HistoryDoc,
  type ReceiptDoc,
} from './schema.ts';

addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBLeaderElectionPlugin);

export interface TillCollections {
  /** This till's own events (its outbox and its own history), pushed to the server. */
  events: RxCollection<EventDoc>;
  receipts: RxCollection<ReceiptDoc>;
  /** The shop's log in chunks, pulled from the server (`history.ts`). */
  history: RxCollection<HistoryDoc>;
}

export type TillDatabase = RxDatabase<TillCollections>;

export interface OpenOptions {
  /** Database name; one per shop and device. */
  name: string;
  /** IndexedDB implementation (defaults to the browser's). */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  /** Several tabs share the database (leader election picks one sync loop). */
  multiInstance?: boolean;
}

/** Open (or create) a till database. */
export async function openTillDatabase(opts: OpenOptions): Promise<TillDatabase> {
  const storage = getRxStorageDexie(
    opts.indexedDB && opts.IDBKeyRange
      ? { indexedDB: opts.indexedDB, IDBKeyRange: opts.IDBKeyRange }
      : {},
  );
  const db = await createRxDatabase<TillCollections>({
    name: opts.name,
    storage,
    multiInstance: opts.multiInstance ?? false,
    localDocuments: true,
    closeDuplicates: true,
  });
  await db.addCollections({
    events: { schema: eventSchema },
    receipts: { schema: receiptSchema },
    history: { schema: historySchema },
  });
  return db;
}
