/**
 * Reads one Open Bandit Dataset log (datasets/obd/{random,bts}/{men,women}.csv.gz) into typed
 * arrays. The sample's CSV has no quoted fields, so a plain split is exact.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface ObdLog {
  n: number;
  nItems: number;
  nPositions: number;
  /** Item shown, 0..nItems−1. */
  item: Int32Array;
  /** Slot on the page, 0..2 (the file's 1..3 minus one). */
  position: Int32Array;
  click: Float64Array;
  /** The logging policy's probability of this item in this position. */
  propensity: Float64Array;
  /** The four hashed user features, each coded 0..levels−1 (n × 4). */
  userFeature: Int32Array;
  /** Levels of each user feature. */
  userFeatureLevels: number[];
  /** user-item affinity for every item (n × nItems). */
  affinity: Float32Array;
}

/**
 * Loads a log; `limit` keeps the first rows only (quick runs).
 * @example const log = loadObdLog('/repo/datasets/obd/random/men.csv.gz');
 */
export function loadObdLog(path: string, limit = Infinity): ObdLog {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const header = lines[0].split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`The OBD file ${path} has no "${name}" column.`);
    return i;
  };
  const cItem = col('item_id');
  const cPos = col('position');
  const cClick = col('click');
  const cProp = col('propensity_score');
  const cUser = [0, 1, 2, 3].map((j) => col(`user_feature_${j}`));
  const cAff = header.map((h, i) => (h.startsWith('user-item_affinity_') ? i : -1)).filter((i) => i >= 0);
  const body = lines.slice(1).filter((l) => l.length > 0);
  const n = Math.min(body.length, limit);
  const nItems = cAff.length;
  const log: ObdLog = {
    n,
    nItems,
    nPositions: 3,
    item: new Int32Array(n),
    position: new Int32Array(n),
    click: new Float64Array(n),
    propensity: new Float64Array(n),
    userFeature: new Int32Array(n * 4),
    userFeatureLevels: [0, 0, 0, 0],
    affinity: new Float32Array(n * nItems),
  };
  const codes = [0, 1, 2, 3].map(() => new Map<string, number>());
  for (let i = 0; i < n; i++) {
    const f = body[i].split(',');
    log.item[i] = Number(f[cItem]);
    log.position[i] = Number(f[cPos]) - 1;
    log.click[i] = Number(f[cClick]);
    log.propensity[i] = Number(f[cProp]);
    for (let j = 0; j < 4; j++) {
      const m = codes[j];
      const v = f[cUser[j]];
      if (!m.has(v)) m.set(v, m.size);
      log.userFeature[i * 4 + j] = m.get(v)!;
    }
    for (let a = 0; a < nItems; a++) log.affinity[i * nItems + a] = Number(f[cAff[a]]);
  }
  log.userFeatureLevels = codes.map((m) => m.size);
  return log;
}
