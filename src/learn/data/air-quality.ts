/**
 * UCI Air Quality (datasets/air-quality): hourly readings of one multi-sensor device; each sensor
 * column is one "subject" stream. Missing readings are coded −200 and skipped.
 */
import { join } from 'node:path';
import { readCsv } from './csv.js';

/** One stream: hour indices (hours since 1970-01-01 00:00 local time) and values, missing dropped. */
export interface AirStream {
  name: string;
  hours: Int32Array;
  values: Float64Array;
}

/**
 * Loads every sensor column as a stream.
 *
 * @example
 * const streams = loadAirQuality(ctx.datasetsDir); // 13 streams
 */
export function loadAirQuality(datasetsDir: string): AirStream[] {
  const t = readCsv(join(datasetsDir, 'air-quality', 'AirQuality.csv.gz'));
  const hours = t.rows.map((r) => {
    const [y, m, d] = r[0].split('-').map(Number);
    const hh = Number(r[1].split(':')[0]);
    return Date.UTC(y, m - 1, d) / 3_600_000 + hh;
  });
  const streams: AirStream[] = [];
  for (let c = 2; c < t.header.length; c++) {
    const hs: number[] = [];
    const vs: number[] = [];
    t.rows.forEach((r, i) => {
      const v = Number(r[c]);
      if (r[c] === '' || !Number.isFinite(v) || v === -200) return;
      hs.push(hours[i]);
      vs.push(v);
    });
    streams.push({ name: t.header[c], hours: Int32Array.from(hs), values: Float64Array.from(vs) });
  }
  return streams;
}
