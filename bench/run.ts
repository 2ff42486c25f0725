import { celBench } from './cel.js';
import { decideBench } from './decide.js';
import { ingestBench } from './ingest.js';

type Bench = (args: string[]) => Promise<Record<string, unknown>>;
const benches: Record<string, { run: Bench; about: string }> = {
  ingest: { run: ingestBench, about: 'events/s through HTTP /v1/batch with durable acks, vs the raw store ceiling' },
  cel: { run: celBench, about: 'the two CEL libraries on the same rules (ADR 0002)' },
  decide: { run: decideBench, about: 'decisions over 100,000 profiles and 100 actions: HTTP p50/p99 at 1,000/s vs a no-op floor, in-process p99, freshness' },
};

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || !benches[name]) {
  process.stdout.write(`Usage: npm run bench -- <name> [--quick] [--rate N] [--seconds N] (decide)\n\n${Object.entries(benches).map(([k, b]) => `  ${k.padEnd(10)} ${b.about}`).join('\n')}\n\nThe server runs with the environment's TACT_DURABILITY (fsync, the default, or os).\nThe last line printed is one JSON object with the figures.\n`);
  process.exit(name && name !== '--help' && name !== '-h' ? 1 : 0);
}
const result = await benches[name].run(args);
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
