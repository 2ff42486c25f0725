/**
 * The Open Bandit Dataset sample (datasets/obd): 10,000 logged impressions per campaign and
 * logging policy, with the logging policy's propensity of each shown item at its position.
 */
import { join } from 'node:path';
import { numbers, readCsv } from './csv.js';

/** One campaign's log. */
export interface ObdLog {
  n: number;
  items: number;
  item: Int32Array;
  /** Slot on the page, 0-based (the file's 1..3 minus 1). */
  position: Int32Array;
  click: Float64Array;
  propensity: Float64Array;
}

/**
 * Loads datasets/obd/{policy}/{campaign}.csv.gz.
 *
 * @example
 * const log = loadObd(ctx.datasetsDir, 'random', 'men'); // log.n === 10000, log.items === 34
 */
export function loadObd(datasetsDir: string, policy: 'random' | 'bts', campaign: 'men' | 'women'): ObdLog {
  const t = readCsv(join(datasetsDir, 'obd', policy, `${campaign}.csv.gz`));
  const get = (name: string) => numbers(t, name);
  const item = Int32Array.from(get('item_id'));
  const ctx = readCsv(join(datasetsDir, 'obd', policy, `${campaign}_item_context.csv`));
  return {
    n: t.rows.length,
    items: ctx.rows.length,
    item,
    position: Int32Array.from(get('position'), (p) => p - 1),
    click: Float64Array.from(get('click')),
    propensity: Float64Array.from(get('propensity_score')),
  };
}
