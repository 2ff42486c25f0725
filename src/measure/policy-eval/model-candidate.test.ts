import { describe, expect, it } from 'vitest';
import type { ModelStore, ModelVersion } from '../../models/registry/model-store.js';
import { knownUplift } from '../../models/uplift/simulated-log.js';
import type { UpliftState } from '../../models/uplift/uplift-model.js';
import { candidateModel } from './model-candidate.js';

const dataTo = Date.UTC(2026, 10, 30, 12);
const version: ModelVersion<UpliftState> = { name: 'uplift', version: 2, trainedAt: dataTo + 60_000, dataFrom: null, dataTo, metrics: {}, trainedBy: 'test', state: knownUplift({ shoes: 0.3 }) };
const models: Pick<ModelStore, 'live' | 'getVersion'> = {
  live: async () => version,
  getVersion: async (_name: string, v: number) => (v === 2 ? version : undefined),
} as unknown as Pick<ModelStore, 'live' | 'getVersion'>;

describe('a candidate\'s uplift model', () => {
  it('dates its estimates by the end of the version\'s data window, as the decisions\' uplift does (src/models/decision-inputs.ts)', async () => {
    for (const pin of ['uplift', 'uplift@2']) {
      const m = await candidateModel(models, pin);
      expect(m.pin).toBe('uplift@2');
      const e = m.uplift!.estimate('shoes', {}, { level: 0.9, maxWidth: 0.05 });
      expect(e?.updatedAt, pin).toBe('2026-11-30T12:00:00.000Z');
    }
  });
});
