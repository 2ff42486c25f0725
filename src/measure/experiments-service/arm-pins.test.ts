import { describe, expect, it } from 'vitest';
import type { StoredDocument } from '../../config/document-store.js';
import type { ModelVersion } from '../../models/registry/model-store.js';
import { experimentsKind, type ExperimentsBody } from './experiments-kind.js';
import { liveModelPinWarnings, modelPinProblems } from './arm-pins.js';

const catalog = {
  actions: [
    { id: 'shoes', name: 'Shoes', channels: ['web'], variants: [{ id: 'a' }, { id: 'b' }, { id: 'bold', status: 'draft' }, { id: 'old', status: 'rejected' }] },
    { id: 'socks', name: 'Socks', channels: ['web'] },
  ],
  placements: [{ id: 'home', channel: 'web' }],
};

/** The stored documents the checks read: policy version 1 and, unless left out, catalog version 3. */
function documents(o: { catalog?: unknown } = { catalog }) {
  const doc = (kind: string, version: number, body: unknown) => ({ kind, version, body, author: 't', reason: 't', createdAt: 0 }) as StoredDocument<never>;
  return {
    get: async (kind: string, version: number) => (kind === 'policy' && version === 1 ? doc('policy', 1, {}) : undefined),
    latest: async (kind: string) => (kind === 'policy' ? doc('policy', 1, {}) : kind === 'catalog' && o.catalog ? doc('catalog', 3, o.catalog) : undefined),
  };
}

const pinning = (variant: unknown, model?: string): ExperimentsBody => ({
  'hero-test': { placement: 'home', arms: [{ id: 'control', weight: 1 }, { id: 'treat', weight: 1, ...(variant ? { variant: variant as { action: string; variant: string } } : {}), ...(model ? { model } : {}) }] },
});

describe('an arm that pins a content variant, against the catalog in force', () => {
  it('refuses an action the catalog does not have, naming the field and the closest action (the arm would decide as the control)', async () => {
    const p = await experimentsKind.checkStored!(pinning({ action: 'shoe', variant: 'b' }), documents());
    expect(p).toEqual([{ field: 'hero-test.arms[1].variant.action', message: expect.stringContaining('names the action `shoe`, which the catalog (version 3) does not have') }]);
    expect(p[0].message).toContain('Did you mean `shoes`?');
    expect(p[0].message).toMatch(/as the control does/);
  });

  it('refuses an action (and the placement) when no catalog is written yet', async () => {
    const p = await experimentsKind.checkStored!(pinning({ action: 'shoes', variant: 'b' }), documents({}));
    expect(p.map((x) => x.field)).toEqual(['hero-test.placement', 'hero-test.arms[1].variant.action']);
    expect(p[1].message).toContain('no catalog is written yet');
  });

  it('refuses a variant the action does not have, naming its variants', async () => {
    const p = await experimentsKind.checkStored!(pinning({ action: 'shoes', variant: 'c' }), documents());
    expect(p).toEqual([{ field: 'hero-test.arms[1].variant.variant', message: expect.stringContaining('names the variant `c` of the action `shoes`, which it does not have (its variants are a, b, bold, old)') }]);
    const none = await experimentsKind.checkStored!(pinning({ action: 'socks', variant: 'a' }), documents());
    expect(none[0].message).toContain('the action `socks` has no variants');
  });

  it('takes a variant of the catalog, and still refuses a missing policy version beside it', async () => {
    expect(await experimentsKind.checkStored!(pinning({ action: 'shoes', variant: 'b' }), documents())).toEqual([]);
    const body = pinning({ action: 'shoe', variant: 'b' });
    body['hero-test'].arms[0].policy = 7;
    expect((await experimentsKind.checkStored!(body, documents())).map((x) => x.field)).toEqual(['hero-test.arms[0].policy', 'hero-test.arms[1].variant.action']);
  });

  it('warns of a draft or rejected variant (approving it later is how it is meant to go), applied all the same', async () => {
    expect(await experimentsKind.checkStored!(pinning({ action: 'shoes', variant: 'bold' }), documents())).toEqual([]);
    const w = await experimentsKind.warnStored!(pinning({ action: 'shoes', variant: 'bold' }), documents());
    expect(w).toEqual([{ field: 'hero-test.arms[1].variant.variant', between: 'catalog has not approved hero-test.arms[1].variant.variant', message: expect.stringContaining('pins the variant `bold` of the action `shoes`, which is draft in the catalog (version 3)') }]);
    expect(w[0].message).toContain('only approved variants are shown');
    expect((await experimentsKind.warnStored!(pinning({ action: 'shoes', variant: 'old' }), documents()))[0].message).toContain('which is rejected');
    expect(await experimentsKind.warnStored!(pinning({ action: 'shoes', variant: 'a' }), documents())).toEqual([]);
    // A variant that does not exist is a problem, not also a warning.
    expect(await experimentsKind.warnStored!(pinning({ action: 'shoes', variant: 'c' }), documents())).toEqual([]);
  });
});

describe('an arm that pins a model version, against the model registry', () => {
  const version = (v: number) => ({ name: 'uplift', version: v, trainedAt: 0, dataFrom: null, dataTo: 0, metrics: {}, trainedBy: 't', state: {} }) as ModelVersion;
  const models = (versions: number[]) => ({
    getVersion: async (name: string, v: number) => (name === 'uplift' && versions.includes(v) ? version(v) : undefined),
    versions: async (name: string) => (name === 'uplift' ? [...versions].sort((a, b) => b - a).map(version) : []),
    live: async () => undefined,
  });

  it('refuses a version that does not exist, naming the field and the latest version', async () => {
    expect(await modelPinProblems(pinning(undefined, 'uplift@2'), models([1, 2]))).toEqual([]);
    const p = await modelPinProblems(pinning(undefined, 'uplift@4'), models([1, 2]));
    expect(p).toEqual([{ field: 'hero-test.arms[1].model', message: expect.stringContaining('The model version uplift@4 does not exist (the latest uplift version is 2)') }]);
    const none = await modelPinProblems(pinning(undefined, 'uplift@1'), models([]));
    expect(none[0].message).toContain('no uplift model has been trained yet');
  });

  it('warns of `uplift` only while no uplift version is live; a stored version or `rate` scores as it says', async () => {
    const none = await liveModelPinWarnings(pinning(undefined, 'uplift'), models([]));
    expect(none).toEqual([{ field: 'hero-test.arms[1].model', message: expect.stringContaining('no uplift version is live (no uplift model has been trained yet)') }]);
    expect((await liveModelPinWarnings(pinning(undefined, 'uplift'), models([1, 2])))[0].message).toContain('(version 2 is trained but not live: promote it)');
    expect(await liveModelPinWarnings(pinning(undefined, 'uplift'), { ...models([1]), live: async () => ({ version: 1 }) })).toEqual([]);
    expect(await liveModelPinWarnings(pinning(undefined, 'uplift@1'), models([1]))).toEqual([]);
    expect(await liveModelPinWarnings(pinning(undefined, 'rate'), models([]))).toEqual([]);
  });

  it('takes the live uplift and rate scoring without asking for a version', async () => {
    expect(await modelPinProblems(pinning(undefined, 'uplift'), models([]))).toEqual([]);
    expect(await modelPinProblems(pinning(undefined, 'rate'), models([]))).toEqual([]);
  });
});
