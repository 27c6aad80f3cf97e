/** Placeholder while the screen is being built. */
import type { Till } from '@smartkirana/client/till';

export function KhataScreen({ till }: { till: Till }) {
  return <section class="pane">{till.credential.code}</section>;
}
