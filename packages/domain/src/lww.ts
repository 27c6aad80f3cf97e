/**
 * Last-writer-wins records for catalogue data (products, customers, suppliers, staff). Each field
 * remembers the canonical key of the event that wrote it; a write only wins if its key is larger.
 * Merging is commutative and idempotent, so every replica agrees whatever the arrival order.
 */

/** Fields to write; an undefined field is left as it is. */
export type Patch<T> = { [K in keyof T]?: T[K] | undefined };

/** A record whose fields are each last-writer-wins. */
export class LwwRecord<T extends object> {
  readonly #values = new Map<keyof T, { value: unknown; key: string }>();

  /** Apply the fields of `patch` written at canonical `key`. Undefined fields are skipped. */
  write(patch: Patch<T>, key: string): void {
    for (const [field, value] of Object.entries(patch) as [keyof T, unknown][]) {
      if (value === undefined) continue;
      const current = this.#values.get(field);
      if (!current || current.key < key) this.#values.set(field, { value, key });
    }
  }

  /** Current value of one field. */
  get<K extends keyof T>(field: K): T[K] | undefined {
    return this.#values.get(field)?.value as T[K] | undefined;
  }

  /** Canonical key of the write that set a field. */
  keyOf(field: keyof T): string | undefined {
    return this.#values.get(field)?.key;
  }

  /** Every field with its value and the key that wrote it (for a projection seed). */
  entries(): [field: string, value: unknown, key: string][] {
    return [...this.#values].map(([field, { value, key }]) => [String(field), value, key]);
  }

  /** The merged record (fields never written are absent). */
  value(): Partial<T> {
    const out: Partial<T> = {};
    for (const [field, { value }] of this.#values) (out as Record<keyof T, unknown>)[field] = value;
    return out;
  }
}

/** A keyed collection of LWW records. */
export class LwwTable<T extends object> {
  readonly #rows = new Map<string, LwwRecord<T>>();

  /** Write fields of the row `id` at canonical `key`. */
  write(id: string, patch: Patch<T>, key: string): void {
    let row = this.#rows.get(id);
    if (!row) {
      row = new LwwRecord<T>();
      this.#rows.set(id, row);
    }
    row.write(patch, key);
  }

  /** Every row's fields with their writers' keys (for a projection seed). */
  entries(): [id: string, fields: [string, unknown, string][]][] {
    return [...this.#rows].map(([id, row]) => [id, row.entries()]);
  }

  /** Write rows exported by `entries` (each field at the key that wrote it). */
  restore(
    rows: readonly (readonly [string, readonly (readonly [string, unknown, string])[]])[],
  ): void {
    for (const [id, fields] of rows)
      for (const [field, value, key] of fields) this.write(id, { [field]: value } as Patch<T>, key);
  }

  get(id: string): LwwRecord<T> | undefined {
    return this.#rows.get(id);
  }

  ids(): IterableIterator<string> {
    return this.#rows.keys();
  }

  get size(): number {
    return this.#rows.size;
  }
}
