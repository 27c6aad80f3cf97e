/**
 * docs/benchmarks.md has a generated part between two markers: the last full run's table, the
 * machine and the notes. Everything outside the markers (method, history of changes) is written
 * by hand and kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineLines, markdownTable } from './report.ts';
import type { BenchResult } from './run.ts';

export const DOC_PATH = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const START = '<!-- bench:start (written by `pnpm bench`; edits here are overwritten) -->';
const END = '<!-- bench:end -->';

/** The generated section for `result`. */
export function generatedSection(result: BenchResult): string {
  const missed = result.rows.filter((r) => r.met === false).length;
  return [
    START,
    '',
    `Last run: \`pnpm bench${result.mode === 'full' ? ' -- --full' : ''}\` (${result.mode} mode) on ${result.date}, ` +
      `${result.rows.length} measures in ${result.seconds.toFixed(0)} s, ` +
      `${missed} bar${missed === 1 ? '' : 's'} not met.`,
    '',
    ...[...machineLines(result.machine), ...result.notes].map((line) => `- ${line}`),
    '',
    markdownTable(result.rows),
    '',
    END,
  ].join('\n');
}

/** Replace the generated section of `text` (or insert it after the first paragraph). */
export function replaceSection(text: string, section: string): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start >= 0 && end > start)
    return text.slice(0, start) + section + text.slice(end + END.length);
  const firstBreak = text.indexOf('\n\n');
  const at = firstBreak >= 0 ? firstBreak + 2 : text.length;
  return `${text.slice(0, at)}${section}\n\n${text.slice(at)}`;
}

export function writeBenchmarksDoc(result: BenchResult, path = DOC_PATH): string {
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, replaceSection(text, generatedSection(result)));
  return path;
}
