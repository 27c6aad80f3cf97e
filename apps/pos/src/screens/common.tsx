/**
 * Small pieces the stock room and khata screens share: re-render on every projection change,
 * permission checks for the signed-in person, unit helpers, input parsing that never throws, and
 * a hook that runs a command and keeps its error (shown inline) or success note.
 */
import type { Till } from '@smartkirana/client/till';
import { istDate } from '@smartkirana/domain/calendar';
import type { EventType } from '@smartkirana/domain/events';
import { parseRupees } from '@smartkirana/domain/money';
import { mayRecord } from '@smartkirana/domain/permissions';
import { parseQty, type BaseUnit, type DisplayUnit } from '@smartkirana/domain/quantity';
import { useEffect, useState } from 'preact/hooks';

/** The projection's change counter: use it as a `useMemo` dependency. */
export function useVersion(till: Till): number {
  const [version, setVersion] = useState(till.version$.value);
  useEffect(() => {
    const sub = till.version$.subscribe((v) => setVersion(v));
    return () => sub.unsubscribe();
  }, [till]);
  return version;
}

/** Whether the signed-in person may record events of this type (hide what they may not do). */
export function may(till: Till, type: EventType): boolean {
  const actor = till.actor;
  return actor ? mayRecord(actor.role, type) : false;
}

/** Today's business day (IST). */
export function today(): string {
  return istDate(Date.now());
}

/** A business day as shop people write it: 2026-04-01 → 01/04/26. */
export function shortDay(iso: string): string {
  const [y = '', m = '', d = ''] = iso.split('-');
  return `${d}/${m}/${y.slice(2)}`;
}

/** The unit a person types for a product kept in `base` units: pieces, kilograms or litres. */
export function displayUnit(base: BaseUnit): DisplayUnit {
  return base === 'pc' ? 'pc' : base === 'g' ? 'kg' : 'l';
}

/** The label of that unit. */
export function unitLabel(base: BaseUnit): string {
  return base === 'pc' ? 'pc' : base === 'g' ? 'kg' : 'L';
}

/** Base units as a plain number in the display unit ("1.5" for 1500 g), for prefilling inputs. */
export function qtyText(qty: number, base: BaseUnit): string {
  return base === 'pc' ? String(qty) : String(qty / 1000);
}

/** Paise as a plain rupee string ("120.5") for prefilling inputs. */
export function rupeesText(paise: number): string {
  return (paise / 100).toFixed(2).replace(/\.00$/, '');
}

/** A rupee amount typed by a person, or an error message. */
export function readRupees(text: string, field: string): number | string {
  try {
    const v = parseRupees(text);
    return v < 0 ? `${field}: ≥ 0` : v;
  } catch {
    return `${field}: ${JSON.stringify(text)}?`;
  }
}

/** A quantity typed in the product's display unit, as base units, or an error message. */
export function readQty(text: string, base: BaseUnit, field: string): number | string {
  try {
    return parseQty(text, displayUnit(base));
  } catch (err) {
    return `${field}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export interface Action {
  busy: boolean;
  error: string | undefined;
  done: string | undefined;
  /** Run `fn`; a thrown error (e.g. `InvalidCommandError`) is kept for display, nothing else. */
  run: (fn: () => Promise<void>, doneText?: string) => Promise<boolean>;
  fail: (message: string) => void;
  clear: () => void;
}

/** State for a form that records events: busy while writing, then its error or success note. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  return {
    busy,
    error,
    done,
    run: async (fn, doneText) => {
      setBusy(true);
      setError(undefined);
      setDone(undefined);
      try {
        await fn();
        setDone(doneText);
        return true;
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
        return false;
      } finally {
        setBusy(false);
      }
    },
    fail: (message) => {
      setDone(undefined);
      setError(message);
    },
    clear: () => {
      setError(undefined);
      setDone(undefined);
    },
  };
}

/** The error or success line under a form. */
export function ActionNote({ action }: { action: Action }) {
  if (action.error)
    return (
      <p class="error" role="alert" data-testid="form-error">
        {action.error}
      </p>
    );
  if (action.done)
    return (
      <p class="ok" role="status">
        {action.done}
      </p>
    );
  return null;
}
