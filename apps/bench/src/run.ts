/**
 * `runBenchmarks`: every measure of BRIEF §5, in groups, each with its raw baseline measured in
 * the same run where one exists. No measure is tuned to pass its bar.
 */
import { dialects } from '@smartkirana/server/testing';
import { browserGroup } from './browser.ts';
import { convergenceGroup } from './convergence.ts';
import { ingestGroup } from './ingest.ts';
import { latencyGroup } from './latency.ts';
import { memoryGroup } from './memory.ts';
import { describeMachine, type Machine, type MeasureRow } from './report.ts';

export type Mode = 'smoke' | 'quick' | 'full';

export interface BenchContext {
  mode: Mode;
  /** Progress lines. */
  log: (line: string) => void;
  /** A line for the report's notes (e.g. the mean event size, the Chromium version). */
  note: (line: string) => void;
  withPostgres: boolean;
  machine: Machine;
}

/** A set of measures that share set-up; `pnpm bench -- --only <name>` runs one group. */
export interface MeasureGroup {
  name: string;
  run(ctx: BenchContext): Promise<MeasureRow[]>;
}

export const GROUPS: readonly MeasureGroup[] = [
  ingestGroup,
  browserGroup,
  latencyGroup,
  convergenceGroup,
  memoryGroup,
];

export interface BenchResult {
  mode: Mode;
  date: string;
  machine: Machine;
  rows: MeasureRow[];
  notes: string[];
  seconds: number;
}

/** Run the benchmarks (all groups, or those named in `only`); `log` receives progress lines. */
export async function runBenchmarks(opts: {
  mode: Mode;
  only?: readonly string[];
  log?: (line: string) => void;
}): Promise<BenchResult> {
  const log = opts.log ?? (() => undefined);
  const started = performance.now();
  const withPostgres = (await dialects()).includes('postgres');
  const machine = await describeMachine(withPostgres);
  const unknown = (opts.only ?? []).filter((name) => !GROUPS.some((g) => g.name === name));
  if (unknown.length > 0)
    throw new Error(
      `unknown benchmark group ${unknown.join(', ')}; groups: ${GROUPS.map((g) => g.name).join(', ')}`,
    );
  const rows: MeasureRow[] = [];
  const notes: string[] = [];
  for (const group of GROUPS) {
    if (opts.only && opts.only.length > 0 && !opts.only.includes(group.name)) continue;
    log(`— ${group.name}`);
    rows.push(
      ...(await group.run({
        mode: opts.mode,
        log,
        note: (line) => notes.push(line),
        withPostgres,
        machine,
      })),
    );
  }
  return {
    mode: opts.mode,
    date: new Date().toISOString().slice(0, 10),
    machine,
    rows,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}
