import { celBench } from './cel.js';
import { decideBench } from './decide.js';
import { decideMemoryBench } from './decide-memory.js';
import { decideStartBench } from './decide-start.js';
import { ingestBench } from './ingest.js';

type Bench = (args: string[]) => Promise<Record<string, unknown>>;
const benches: Record<string, { run: Bench; about: string; options: string }> = {
  ingest: {
    run: ingestBench,
    about: 'events/s through HTTP /v1/batch with durable acks, vs the raw store ceiling',
    options: '--quick (12 s instead of 60 s), --clients N (connections sending batches; 8)',
  },
  cel: { run: celBench, about: 'the two CEL libraries on the same rules (ADR 0002)', options: '--quick' },
  decide: {
    run: decideBench,
    about: 'decisions over 100,000 profiles and 100 actions: HTTP p50/p99 at 1,000/s vs a no-op floor, in-process p99, freshness',
    options: '--quick (6-s phases instead of 60 s), --rate N (decisions/s; 1,000), --seconds N (each timed phase)',
  },
  'decide-memory': {
    run: decideMemoryBench,
    about: 'the decision state (contacts, counts, outcomes) after 40 minutes at 1,000 decisions/s: heap vs the packed floor, full-GC time',
    options: '--quick (10 minutes of decisions instead of 40)',
  },
  'decide-start': {
    run: decideStartBench,
    about: 'what a start pays: the estimates\' counts from the snapshot and its tail vs the whole log (ADR 0005), and the contact ledger read lazily vs whole (ADR 0006); SQLite, PostgreSQL with --postgres',
    options: '--quick (300,000 decisions instead of 3,000,000), --step N (decisions a fold step reads), --gap MS (the log this dense, e.g. 1 for 1,000 decisions a second; else spread over a week), --postgres (the local PostgreSQL server, TACT_BENCH_PG)',
  },
};
const usage = (only?: string) => `Usage: npm run bench -- <name> [options]\n\n${Object.entries(benches).filter(([k]) => !only || k === only).map(([k, b]) => `  ${k.padEnd(13)} ${b.about}\n                options: ${b.options}`).join('\n')}\n\nThe server runs with the environment's TACT_DURABILITY (fsync, the default, or os); for diagnosis,\nTACT_BENCH_NODE_ARGS (extra Node flags for the server), TACT_BENCH_SERVER_LOG (a file for its output),\nTACT_BENCH_TRACE=1 (decide: the worst latency of each second), TACT_BENCH_LOG_LEVEL (the server's log level; warn) and TACT_BENCH_KEEP=1 (keep the\nserver's data folder, which is otherwise deleted at the end).\nThe last line printed is one JSON object with the figures; docs/benchmarks.md records them.\n`;

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || !benches[name]) {
  process.stdout.write(usage());
  process.exit(name && name !== '--help' && name !== '-h' ? 1 : 0);
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage(name));
  process.exit(0);
}
const result = await benches[name].run(args);
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
