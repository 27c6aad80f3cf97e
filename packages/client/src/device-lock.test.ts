/**
 * The device lock serialises a till's writers and tells a writer whether it held the lock since
 * its last run (so nothing else can have written). Here the in-process queue Node uses; the Web
 * Locks path is exercised by the PWA's two-tab test in Chromium (apps/pos/e2e/offline-sale).
 */
import { describe, expect, it } from 'vitest';
import { DeviceLock } from './device-lock.ts';

const name = (): string => `smartkirana:${crypto.randomUUID()}`;

describe('device lock', () => {
  it('says a writer continues only while no other writer ran and its last run ended well', async () => {
    const lockName = name();
    const a = new DeviceLock(lockName);
    const b = new DeviceLock(lockName);
    const seen: string[] = [];
    const run = (lock: DeviceLock, label: string) =>
      lock.run((continued) => {
        seen.push(`${label}:${String(continued)}`);
        return Promise.resolve(label);
      });
    await run(a, 'a1');
    await run(a, 'a2');
    await run(b, 'b1');
    await run(a, 'a3');
    await run(a, 'a4');
    await expect(a.run(() => Promise.reject(new Error('the write failed')))).rejects.toThrow(
      'the write failed',
    );
    await run(a, 'a5');
    await run(a, 'a6');
    expect(seen).toEqual([
      'a1:false',
      'a2:true',
      'b1:false',
      'a3:false',
      'a4:true',
      'a5:false',
      'a6:true',
    ]);
  });

  it('runs the writers of one device one at a time', async () => {
    const lockName = name();
    const locks = [new DeviceLock(lockName), new DeviceLock(lockName), new DeviceLock(lockName)];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (locks[i % 3] as DeviceLock).run(async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 1));
          order.push(i);
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toHaveLength(30);
  });

  it('takes no runs once closed', async () => {
    const lock = new DeviceLock(name());
    const nothing = (): Promise<void> => Promise.resolve();
    await lock.run(nothing);
    await lock.close();
    await expect(lock.run(nothing)).rejects.toThrow('closed');
  });
});
