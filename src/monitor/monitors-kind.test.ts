import { describe, expect, it } from 'vitest';
import { monitorsKind } from './monitors-kind.js';

const fields = (doc: Record<string, unknown>) => monitorsKind.check(doc).map((p) => p.field);

describe('the monitors document: significance levels', () => {
  it('refuses an alpha or clearAlpha of 0 or 1 (alpha 0 never alerts, clearAlpha 1 never resolves)', () => {
    expect(fields({ alpha: 0 })).toEqual(['alpha']);
    expect(fields({ alpha: 1 })).toEqual(['alpha']);
    expect(fields({ clearAlpha: 0 })).toEqual(['clearAlpha']);
    expect(fields({ clearAlpha: 1 })).toEqual(['clearAlpha']);
    expect(fields({ alpha: 0, clearAlpha: 1 })).toEqual(['alpha', 'clearAlpha']);
    expect(fields({ alpha: 0.01, clearAlpha: 0.2 })).toEqual([]);
  });

  it('refuses a clearAlpha below alpha, counting the defaults: an alert would resolve at the next step and fire again after the cool-down', () => {
    expect(fields({ alpha: 0.01, clearAlpha: 0.005 })).toEqual(['clearAlpha']);
    // alpha alone above the default clearAlpha (0.05)
    expect(fields({ alpha: 0.1 })).toEqual(['clearAlpha']);
    // clearAlpha alone below the default alpha (0.001)
    expect(fields({ clearAlpha: 0.0005 })).toEqual(['clearAlpha']);
    expect(fields({ alpha: 0.1, clearAlpha: 0.1 })).toEqual([]);
    expect(monitorsKind.check({ alpha: 0.1 })[0].message).toMatch(/clearAlpha.*alpha/);
  });
});
