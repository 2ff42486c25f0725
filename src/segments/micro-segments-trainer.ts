import { fitMicroSegments } from '../learn/segments/micro-segments.js';
import { assignCluster, distinctRows } from '../learn/segments/kmeans.js';
import { relabelLike } from '../learn/segments/relabel.js';
import { runOffThread } from '../models/train/off-thread.js';
import { timeSlicer } from '../models/train/time-slice.js';
import type { Trainer } from '../models/train/trainer.js';
import { forEachSubject } from '../models/train/subjects.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { featureVector, missingFill, missingShares } from './feature-vector.js';
import { numberingColumns } from './micro-segments-numbering.js';
import { spreadWarnings } from './micro-segments-spread.js';
import { definitionsOf } from './micro-segments-status.js';
import type { MicroSegmentsState } from './segment-lookup.js';
import { segmentsKind } from './segments-kind.js';

/**
 * Learned micro-segments: k-means (seeded k-means++) over the standardised features named in
 * `segments.microSegments`, one row per live profile; a missing value is filled (feature-vector.ts:
 * the longest seen for a recency, the mean otherwise). The clusters keep the live version's numbers
 * where they are found again (relabel.ts), matched on the features both versions cluster by name
 * (micro-segments-numbering.ts: a reordered list is the same features), so `microSegment == 2` in
 * a segment rule keeps its people across trainings. The definitions of the features are kept with
 * the model, so a version whose features are redefined later is no longer applied
 * (micro-segments-status.ts). Reports the share of variance the clusters explain, their sizes, per
 * feature some profiles lack the share without a value (`missing`), and how it was numbered
 * (`numbering`), and in `warnings` clusters left empty or holding (almost) everyone, with the
 * number of distinct rows when fewer than k (micro-segments-spread.ts).
 *
 * @example
 * await trainModels(ctx, [microSegmentsTrainer], ['micro-segments'], 'cli');
 */
export const microSegmentsTrainer: Trainer = {
  name: 'micro-segments',
  description: 'k-means over standardised profile features: the rung between a segment and a person.',
  async train(ctx) {
    const cfg = ctx.settings.get(segmentsKind).microSegments;
    if (!cfg) return { skipped: 'segments.microSegments names no features' };
    const features = ctx.settings.get(featuresKind);
    const unknown = cfg.features.filter((f) => !features.some((c) => c.def.name === f));
    if (unknown.length) return { skipped: `segments.microSegments names features that are not defined: ${unknown.join(', ')}` };
    const rows: number[] = [];
    const n = await forEachSubject(ctx.store, (state) => {
      rows.push(...featureVector(state, features, cfg.features, ctx.now));
    });
    const needed = Math.max(cfg.minSubjects, cfg.k * 2);
    if (n < needed) return { skipped: `only ${n} ${n === 1 ? 'subject' : 'subjects'}; micro-segments need at least ${needed}` };
    const d = cfg.features.length;
    // A subject without a value for a feature takes the column's fill (kept with the model, so a
    // subject is placed as it would have been fitted).
    const fill = missingFill(rows, d, features, cfg.features);
    const X = Float64Array.from(rows, (v, i) => (Number.isNaN(v) ? fill[i % d] : v));
    // k-means over every profile takes long enough to hold requests: off the server's thread.
    const fitted = await runOffThread<typeof fitMicroSegments>(import.meta.url, 'fitMicroSegments', [X, d, { k: cfg.k, seed: 0, modelVersion: 'micro-segments' }]);
    // Numbered after the live version on the features both cluster, matched by name and defined as
    // they were (a redefined one's centroids are in other units): micro-segments-numbering.ts.
    const live = await ctx.registry.live<MicroSegmentsState>('micro-segments');
    const matched = live ? numberingColumns(live.version, live.state, features, cfg.features) : { columns: [], numbering: { after: null, note: 'Numbered afresh: no version was live.' } };
    const model = live && matched.columns.length ? relabelLike(fitted, live.state.model, matched.columns) : fitted;
    // Share of variance explained, on the standardised rows (their mean is 0).
    let within = 0;
    let total = 0;
    const C = Float64Array.from(model.centroids);
    const slice = timeSlicer();
    for (let i = 0; i < n; i++) {
      await slice.pause();
      const z = Array.from({ length: d }, (_, k) => (X[i * d + k] - model.mean[k]) / model.sd[k]);
      const c = assignCluster(C, model.k, d, z, model.sizes);
      for (let k = 0; k < d; k++) {
        within += (z[k] - C[c * d + k]) ** 2;
        total += z[k] ** 2;
      }
    }
    const explained = total > 0 ? 1 - within / total : 0;
    const state: MicroSegmentsState = { features: cfg.features, model, explained, fill, definitions: definitionsOf(features, cfg.features) };
    const missing = missingShares(rows, d, cfg.features);
    // Clusters left empty or holding (almost) everyone are said in words, with what the rows tell of why.
    const distinct = distinctRows(X, d, cfg.k);
    const none = cfg.features.filter((f) => missing[f] === 1);
    const varies = new Uint8Array(d);
    for (let i = d; i < X.length; i++) if (X[i] !== X[i % d]) varies[i % d] = 1;
    const constant = cfg.features.filter((f, k) => !varies[k] && !none.includes(f));
    const warnings = spreadWarnings(model.sizes, { distinctRows: distinct, constant, missing: none });
    if (warnings.length) ctx.log('micro-segments trained with clusters empty or lumped together', { sizes: model.sizes, warning: warnings[0] });
    const metrics = {
      subjects: n, k: cfg.k, features: cfg.features, sizes: model.sizes, varianceExplained: Math.round(explained * 1000) / 1000,
      ...(distinct < cfg.k ? { distinctRows: distinct } : {}), ...(Object.keys(missing).length ? { missing } : {}), numbering: matched.numbering, ...(warnings.length ? { warnings } : {}),
    };
    return { state, metrics, dataFrom: null, dataTo: ctx.now };
  },
};

/** The fit, exported from here for a worker thread to call ({@link runOffThread} names a module's export). */
export { fitMicroSegments };
