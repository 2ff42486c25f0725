import { celEnv, parse as bufParse, plan as bufPlan } from '@bufbuild/cel';
import { parse as celParse } from '@marcbachmann/cel-js';

const exprs = [
  'features.order_count > 3.0 && traits.plan == "pro"',
  '"shoes" in features.purchased',
  'has(flags.procurement_delay) || context.channel == "email"',
  'features.spend >= 100.0 && features.order_count >= 2.0',
  'traits.country in ["DE", "FR"] && features.order_count > 1.0',
];

function data(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    features: { order_count: i % 10, spend: 250.5 + i, purchased: ['shoes', 'hat', `p${i}`] },
    traits: { plan: i % 2 ? 'pro' : 'free', country: i % 3 ? 'DE' : 'GB' },
    flags: {},
    context: { channel: 'web' },
  }));
}

function perCall(fn: (i: number) => unknown, n: number): number {
  for (let i = 0; i < 2000; i++) fn(i);
  const t = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t) * 1000) / n;
}

/** The two maintained CEL libraries on the same expressions and data (ADR 0002). */
export async function celBench(args: string[]): Promise<Record<string, unknown>> {
  const n = args.includes('--quick') ? 50_000 : 300_000;
  const rows = data(1000);
  const env = celEnv();
  let bufTotal = 0;
  let celTotal = 0;
  for (const e of exprs) {
    const b = bufPlan(env, bufParse(e));
    const c = celParse(e);
    for (const r of rows.slice(0, 50)) {
      const bv = b(r as never);
      const cv = c(r);
      if (bv !== cv) throw new Error(`the libraries disagree on ${e}: ${String(bv)} vs ${String(cv)}`);
    }
    const bt = perCall((i) => b(rows[i % 1000] as never), n);
    const ct = perCall((i) => c(rows[i % 1000]), n);
    bufTotal += bt;
    celTotal += ct;
    process.stdout.write(`${e.padEnd(62)} @bufbuild/cel ${bt.toFixed(2)} µs  cel-js ${ct.toFixed(2)} µs\n`);
  }
  const compile = (fn: (s: string) => unknown) => {
    const t = performance.now();
    for (let i = 0; i < 500; i++) fn(`${exprs[i % exprs.length]} && ${i}.0 > 0.0`);
    return ((performance.now() - t) * 1000) / 500;
  };
  const bufCompile = compile((s) => bufPlan(env, bufParse(s)));
  const celCompile = compile((s) => celParse(s));
  process.stdout.write(`compile: @bufbuild/cel ${bufCompile.toFixed(0)} µs, cel-js ${celCompile.toFixed(0)} µs\n`);
  return {
    bench: 'cel',
    celjs_eval_us: Number((celTotal / exprs.length).toFixed(3)),
    bufbuild_eval_us: Number((bufTotal / exprs.length).toFixed(3)),
    ratio: Number((bufTotal / celTotal).toFixed(2)),
    celjs_compile_us: Math.round(celCompile),
    bufbuild_compile_us: Math.round(bufCompile),
  };
}
