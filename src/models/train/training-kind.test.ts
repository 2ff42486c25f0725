import { describe, expect, it } from 'vitest';
import { trainingKind } from './training-kind.js';

describe('the training document', () => {
  it('names the entry of `models` or `autoPromote` that is no model, not only the list', () => {
    const p = trainingKind.check({ every: '1m', models: ['rates', 'bogus'], autoPromote: ['nosuch'] });
    expect(p.map((x) => x.field)).toEqual(['models[1]', 'autoPromote[0]']);
    expect(p[0].message).toMatch(/^The `models\[1\]` `bogus` is no model name; the models are .*rates/);
    expect(p[1].message).toContain('`nosuch` is no model name');
  });

  it('tells a single name from a list', () => {
    const p = trainingKind.check({ every: '1m', autoPromote: 'uplift' });
    expect(p).toEqual([{ field: 'autoPromote', message: expect.stringContaining('write ["uplift"] for one') }]);
  });

  it('takes lists of known names', () => {
    expect(trainingKind.check({ every: '1m', models: ['rates'], autoPromote: ['uplift', 'send-time'] })).toEqual([]);
  });
});
