/**
 * `pnpm bench [-- --smoke | --full]`: the server benchmarks of BRIEF §5 (ingest over HTTP on
 * SQLite and Postgres against raw baselines measured in the same run, and pull). The default
 * "quick" mode takes a few minutes on a 2-core machine; `--smoke` only proves the harness works.
 */
import { machineLines, markdownTable, textTable } from './report.ts';
import { runBenchmarks, type Mode } from './run.ts';

const args = process.argv.slice(2);
const mode: Mode = args.includes('--smoke') ? 'smoke' : args.includes('--full') ? 'full' : 'quick';

console.log(`SmartKirana server benchmarks, ${mode} mode`);
const result = await runBenchmarks({ mode, log: (line) => console.log(`  ${line}`) });
console.log('');
for (const line of machineLines(result.machine)) console.log(line);
console.log(`Timed events: v1.SaleCompleted, mean ${result.eventBytes} bytes of JSON`);
console.log('');
console.log(textTable(result.rows));
console.log('');
if (args.includes('--markdown')) {
  console.log(markdownTable(result.rows));
  console.log('');
}
const missed = result.rows.filter((r) => r.met === false).length;
console.log(
  `${result.date}: ${result.rows.length} measures in ${result.seconds.toFixed(0)} s; ` +
    `${missed} bar${missed === 1 ? '' : 's'} not met`,
);
