import { closestWord } from '../src/errors/edit-distance.js';

type Bench = (args: string[]) => Promise<Record<string, unknown>>;

// Each bench's module is imported when it runs: `--help`, the list and a refused option answer at
// once (0.7 s of node with all five imported, most of it the server's modules, for a help text).
const celBench: Bench = async (args) => (await import('./cel.js')).celBench(args);
const decideBench: Bench = async (args) => (await import('./decide.js')).decideBench(args);
const decideMemoryBench: Bench = async (args) => (await import('./decide-memory.js')).decideMemoryBench(args);
const decideStartBench: Bench = async (args) => (await import('./decide-start.js')).decideStartBench(args);
const ingestBench: Bench = async (args) => (await import('./ingest.js')).ingestBench(args);
const easeBench: Bench = async (args) => (await import('./ease.js')).easeBench(args);

/** An option of a bench: a flag, or one taking a value (`value` names it: N, MS). */
interface BenchOption {
  name: string;
  about?: string;
  value?: { name: string; what: string; integer: boolean };
}

interface BenchSpec {
  run: Bench;
  about: string;
  options: BenchOption[];
  /** Whether the bench starts a Tact server (the server's settings then apply). */
  server: boolean;
  /** Variables of this bench's own. */
  env?: string;
}

const quick = (about: string): BenchOption => ({ name: '--quick', about });
const count = (name: string, what: string, about: string): BenchOption => ({ name, about, value: { name: 'N', what, integer: true } });

const benches: Record<string, BenchSpec> = {
  ingest: {
    run: ingestBench,
    about: 'events/s through HTTP /v1/batch with durable acks, vs the raw store ceiling',
    options: [quick('12 s instead of 60 s'), count('--clients', 'a whole number of connections, at least 1', 'connections sending batches; 8')],
    server: true,
  },
  cel: { run: celBench, about: 'the two CEL libraries on the same rules (ADR 0002)', options: [{ name: '--quick' }], server: false },
  decide: {
    run: decideBench,
    about: 'decisions over 100,000 profiles and 100 actions: HTTP p50/p99 at 1,000/s vs a no-op floor, in-process p99, freshness',
    options: [
      quick('6-s phases instead of 60 s'),
      { name: '--rate', about: 'decisions/s; 1,000', value: { name: 'N', what: 'a number of decisions a second above 0', integer: false } },
      { name: '--seconds', about: 'each timed phase', value: { name: 'N', what: 'a number of seconds above 0', integer: false } },
    ],
    server: true,
    env: 'TACT_BENCH_TRACE=1 prints the worst latency of each second; TACT_BENCH_ALLOC_TOP=N the N functions that allocate most per decision in process; TACT_BENCH_SURVIVE_TOP=N the N whose allocations are still alive after a full collection (what the young collections copy).',
  },
  'decide-memory': {
    run: decideMemoryBench,
    about: 'the decision state (contacts, counts, outcomes) after 40 minutes at 1,000 decisions/s: heap vs the packed floor, full-GC time',
    options: [quick('10 minutes of decisions instead of 40')],
    server: false,
  },
  ease: {
    run: easeBench,
    about: 'EASE\'s inverse for a catalog (the blocked sweep, SIMD) vs its update\'s rate on panels in cache; the sweep in JavaScript and the row-by-row inverse beside it',
    options: [quick('2,000 items instead of 5,000'), count('--items', 'a whole number of items, at least 1', 'the catalog\'s size')],
    server: false,
  },
  'decide-start': {
    run: decideStartBench,
    about: 'what a start pays: the estimates\' counts from the snapshot and its tail vs the whole log (ADR 0005), and the contact ledger read lazily vs whole (ADR 0006); SQLite, PostgreSQL with --postgres',
    options: [
      quick('300,000 decisions instead of 3,000,000'),
      count('--step', 'a whole number of decisions, at least 1', 'decisions a fold step reads'),
      { name: '--gap', about: 'the log this dense, e.g. 1 for 1,000 decisions a second; else spread over a week', value: { name: 'MS', what: 'a whole number of milliseconds between decisions, at least 1', integer: true } },
      { name: '--postgres', about: 'the local PostgreSQL server, TACT_BENCH_PG' },
    ],
    server: false,
    env: 'TACT_BENCH_PG is the PostgreSQL server --postgres uses (postgres://postgres@127.0.0.1:5432/postgres by default);\nTACT_BENCH_KEEP=1 keeps the SQLite database, which is otherwise deleted at the end.',
  },
};

const optionsText = (b: BenchSpec) => b.options.map((o) => `${o.name}${o.value ? ` ${o.value.name}` : ''}${o.about ? ` (${o.about})` : ''}`).join(', ');

/** The settings of the server a bench starts (ingest, decide), after `lead` ("The server runs"). */
const serverSettings = (lead: string) => `${lead} with the environment's TACT_DURABILITY (fsync, the default, or os);
for diagnosis, TACT_BENCH_NODE_ARGS (extra Node flags for the server), TACT_BENCH_SERVER_LOG (a file for
its output), TACT_BENCH_LOG_LEVEL (the server's log level; warn) and TACT_BENCH_KEEP=1 (keep the server's
data folder, which is otherwise deleted at the end).`;

const usage = (only?: string) => {
  const shown = Object.entries(benches).filter(([k]) => !only || k === only);
  const lines = [`Usage: npm run bench -- <name> [options]`, '', ...shown.map(([k, b]) => `  ${k.padEnd(13)} ${b.about}\n                options: ${optionsText(b)}`), ''];
  // The server's settings only where a server is started: cel, decide-memory and decide-start start none.
  if (shown.some(([, b]) => b.server)) lines.push(serverSettings(only ? 'The server runs' : `${Object.keys(benches).filter((k) => benches[k].server).join(' and ')} start a server, which runs`));
  for (const [k, b] of shown) if (b.env) lines.push(`${only ? '' : `${k}: `}${b.env}`);
  lines.push('The last line printed is one JSON object with the figures; docs/benchmarks.md records them.', '');
  return lines.join('\n');
};

/** Refuses the command line: the reason on stderr, exit status 1. */
function refuse(message: string): never {
  process.stderr.write(`${message}\nnpm run bench -- --help lists the benches and their options.\n`);
  process.exit(1);
}

/** Checks the options given to bench `name` against those it takes (the bench itself reads them). */
function checkOptions(name: string, args: string[]): void {
  const b = benches[name];
  const known = b.options.map((o) => o.name);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const option = b.options.find((o) => o.name === arg);
    if (!option) {
      const near = arg.startsWith('-') ? closestWord(arg, known) : undefined;
      const what = arg.startsWith('-') ? `has no option "${arg}"` : `takes no argument "${arg}"`;
      refuse(`The ${name} bench ${what}.${near ? ` Did you mean ${near}?` : ''} Its options: ${known.join(', ')}.`);
    }
    if (!option.value) continue;
    const value = args[i + 1];
    const n = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n <= 0 || (option.value.integer && !Number.isInteger(n))) {
      refuse(`${option.name} takes ${option.value.what} (${option.name} ${option.value.name})${value === undefined ? ', and none was given' : `, not "${value}"`}.`);
    }
    i += 1;
  }
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  process.stdout.write(usage());
  process.exit(0);
}
if (!benches[name]) {
  const near = closestWord(name, Object.keys(benches));
  refuse(`There is no bench "${name}"; the benches are ${Object.keys(benches).join(', ')}.${near ? ` Did you mean ${near}?` : ''}`);
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage(name));
  process.exit(0);
}
checkOptions(name, args);
const result = await benches[name].run(args);
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
