/**
 * `pnpm bench [-- --smoke | --full] [--only <group>[,<group>]] [--no-write]`: the measures of
 * BRIEF §5, each with its raw baseline measured in the same run where one exists. The default
 * "quick" mode takes a few minutes on a 2-core machine; `--full` uses the large sizes; `--smoke`
 * only proves the harness works. Quick and full runs of every group rewrite the generated part of
 * docs/benchmarks.md.
 */
import { machineLines, textTable } from './report.ts';
import { writeBenchmarksDoc } from './doc.ts';
import { GROUPS, runBenchmarks, type Mode } from './run.ts';

const args = process.argv.slice(2);
const mode: Mode = args.includes('--smoke') ? 'smoke' : args.includes('--full') ? 'full' : 'quick';
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : [];

console.log(
  `SmartKirana benchmarks, ${mode} mode; groups: ${(only.length > 0 ? only : GROUPS.map((g) => g.name)).join(', ')}`,
);
const result = await runBenchmarks({ mode, only, log: (line) => console.log(`  ${line}`) });
console.log('');
for (const line of [...machineLines(result.machine), ...result.notes]) console.log(line);
console.log('');
console.log(textTable(result.rows));
console.log('');
const missed = result.rows.filter((r) => r.met === false).length;
console.log(
  `${result.date}: ${result.rows.length} measures in ${result.seconds.toFixed(0)} s; ` +
    `${missed} bar${missed === 1 ? '' : 's'} not met`,
);
if (mode !== 'smoke' && only.length === 0 && !args.includes('--no-write')) {
  const path = writeBenchmarksDoc(result);
  console.log(`wrote the results to ${path}`);
}
