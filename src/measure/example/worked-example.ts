/**
 * The worked example of docs/measure.md, reproducible: an in-process Tact on an in-memory store,
 * seeded simulated traffic, then the experiment readout, the global holdout's readout and
 * off-policy evaluations exactly as the API returns them, printed with the CLI's formatting.
 *
 *   npx tsx src/measure/example/worked-example.ts
 *
 * The run itself is run.ts (runWorkedExample), which worked-example-output.test.ts compares with
 * the doc's copy line by line; this script prints it.
 */
import { runWorkedExample } from './run.js';

runWorkedExample().then(
  (text) => process.stdout.write(text),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
