/** Development runner: `npx tsx src/learn/evaluations/run-dev.ts <name|all> [quick]`. */
import { learnEvaluations } from './index.js';

const [name, quick] = process.argv.slice(2);
const chosen = name === 'all' ? learnEvaluations : learnEvaluations.filter((e) => e.name === name);
if (chosen.length === 0) throw new Error(`Unknown evaluation "${name}".`);
const datasetsDir = new URL('../../../datasets', import.meta.url).pathname;
const t0 = performance.now();
for (const ev of chosen) {
  const t1 = performance.now();
  const out = await ev.run({ datasetsDir, log: (l) => console.log(l), quick: quick === 'quick' });
  console.log(`(${ev.name}: ${((performance.now() - t1) / 1000).toFixed(1)} s)`);
  console.log(JSON.stringify(out));
}
console.log(`(total ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
