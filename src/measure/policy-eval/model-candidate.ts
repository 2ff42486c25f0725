import type { UpliftSource } from '../../decide/estimating/prefetch.js';
import { TactError } from '../../errors/tact-error.js';
import type { ModelStore } from '../../models/registry/model-store.js';
import { UpliftScorer, type UpliftState } from '../../models/uplift/uplift-model.js';

/** A candidate's model, as replay uses it: the pin an experiment arm would carry and the uplift model it names. */
export interface CandidateModel {
  /** "rate", "uplift" (the live version) or "uplift@N". */
  pin: string;
  uplift?: UpliftSource;
}

/** The model names a candidate may pin. */
export const MODEL_PIN = /^(rate|uplift(@[1-9]\d*)?)$/;

/**
 * Loads the model a candidate names from the model registry's store: "rate" needs nothing,
 * "uplift" the live uplift version, "uplift@N" that version. A version that does not exist is a 404.
 *
 * @example
 * const m = await candidateModel(store.models, 'uplift@2'); // { pin: 'uplift@2', uplift: UpliftScorer }
 */
export async function candidateModel(models: Pick<ModelStore, 'live' | 'getVersion'>, pin: string): Promise<CandidateModel> {
  if (pin === 'rate') return { pin };
  const asked = pin.includes('@') ? Number(pin.split('@')[1]) : (await models.live('uplift'))?.version;
  const v = asked === undefined ? undefined : await models.getVersion('uplift', asked);
  // The 404 names the body's field, as a refused field does (QA 2026-12-06: it named none).
  if (!v) throw new TactError('not_found', { what: 'uplift model version (`candidate.model`)', id: pin.includes('@') ? pin : 'uplift (no live version: train one with `tact train uplift`)' }, { at: 'candidate.model' });
  return { pin: `uplift@${v.version}`, uplift: new UpliftScorer(v.state as UpliftState, v.version, v.dataTo) };
}
