/** The shop's whole log pulled with the till's own transport, for the baselines (not timed). */
import { Transport } from '@smartkirana/client/transport';
import type { DomainEvent } from '@smartkirana/domain/events';
import type { PageCredential } from './api.ts';

/** Pull every event of the shop in pages of 5000 (the server's largest). */
export async function pullAll(
  credential: PageCredential,
  expected: number,
): Promise<DomainEvent[]> {
  const transport = new Transport({ ...credential, serverUrl: location.origin });
  const out: DomainEvent[] = [];
  let checkpoint = { seq: 0 };
  for (;;) {
    const page = await transport.pull(checkpoint, 5000);
    out.push(...page.documents);
    checkpoint = page.checkpoint;
    if (!page.hasMore) break;
  }
  if (out.length < expected) throw new Error(`pulled ${out.length} of ${expected} events`);
  return out;
}
