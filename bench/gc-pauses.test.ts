import { describe, expect, it } from 'vitest';
import { gcSummary, parseGcCounts } from './gc-pauses.js';

// As prom-client writes it (collectDefaultMetrics with the prefix tact_), two readings.
const reading = (minorCount: number, minorSum: number, majorSum: number) => `# HELP tact_nodejs_gc_duration_seconds Garbage collection duration by kind, one of major, minor, incremental or weakcb.
# TYPE tact_nodejs_gc_duration_seconds histogram
tact_nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 3
tact_nodejs_gc_duration_seconds_sum{kind="minor"} ${minorSum}
tact_nodejs_gc_duration_seconds_count{kind="minor"} ${minorCount}
tact_nodejs_gc_duration_seconds_sum{kind="major"} ${majorSum}
tact_nodejs_gc_duration_seconds_count{kind="major"} 2
tact_nodejs_gc_duration_seconds_sum{kind="incremental"} 0.004
tact_nodejs_gc_duration_seconds_count{kind="incremental"} 9
`;

describe('main-thread garbage-collection pauses from /metrics', () => {
  it('reads counts and sums by kind, and the difference of two readings', () => {
    const before = parseGcCounts(reading(10, 0.05, 0.02));
    expect(before.minor).toEqual({ count: 10, ms: 50 });
    const after = parseGcCounts(reading(14, 0.09, 0.035));
    const s = gcSummary(before, after);
    expect(s.minorCount).toBe(4);
    expect(s.minorMs).toBeCloseTo(40, 9);
    expect(s.totalMs).toBeCloseTo(55, 9);
  });

  it('says zero when no collection ran, and reads a kind missing before as zero', () => {
    const a = parseGcCounts(reading(3, 0.01, 0.01));
    expect(gcSummary(a, a)).toEqual({ minorCount: 0, minorMs: 0, totalMs: 0 });
    expect(gcSummary({}, a).minorCount).toBe(3);
  });
});
