/**
 * App updates. A new service worker waits until the person at the counter chooses to update, so
 * a bill in progress is never lost; sales themselves are in IndexedDB and survive the reload.
 */
import { registerSW } from 'virtual:pwa-register';
import { signal } from './signal.ts';

/** Set when an update is waiting: calling it activates the new version and reloads. */
export const pendingUpdate = signal<(() => Promise<void>) | undefined>(undefined);

export function registerUpdates(): void {
  const update = registerSW({
    immediate: true,
    onNeedRefresh: () => {
      pendingUpdate.value = () => update(true);
    },
  });
}
