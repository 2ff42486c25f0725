import type { DocumentStore } from '../../config/document-store.js';
import type { Settings } from '../../config/settings.js';
import { TactError } from '../../errors/tact-error.js';
import { policyKind } from '../../decide/kinds.js';
import type { Policy } from '../../decide/policy.js';
import type { CompiledPolicy } from '../../decide/policy-compile.js';
import { playbookFor, type Playbook } from '../../decide/playbook.js';
import type { StageExperiment } from '../../decide/stages/types.js';
import { assign } from '../experiments/assignment.js';
import { experimentsKind, type CompiledExperiment } from './experiments-kind.js';

/**
 * Compiled policy versions, loaded from the store once each (versions never change).
 *
 * @example
 * const policy = await versions.get(3);
 */
export class PolicyVersions {
  private readonly cache = new Map<number, Promise<CompiledPolicy>>();
  constructor(private readonly documents: DocumentStore) {}

  get(version: number): Promise<CompiledPolicy> {
    let p = this.cache.get(version);
    if (!p) {
      p = (version === 0 ? Promise.resolve({ body: policyKind.empty }) : this.documents.get<Policy>('policy', version)).then((doc) => {
        if (!doc) throw new TactError('not_found', { what: 'policy version', id: String(version) });
        return policyKind.compile(doc.body);
      });
      p.catch(() => this.cache.delete(version));
      this.cache.set(version, p);
    }
    return p;
  }
}

/**
 * The arm a subject gets in the placement's running experiment, and the playbook it decides
 * with: the policy in force, or the arm's pinned policy version (with the live global holdout,
 * so the holdout is the same subjects whatever the arm). Assignment is `assign` of src/measure:
 * a hash of the unit — the person's first identifier (src/decide/experiment-unit.ts), asked for
 * only when an experiment runs at the placement — and the experiment's salt; nothing is stored.
 *
 * @example
 * const routed = await router.route('home', async () => 'ana', play);
 * routed?.experiment; // { id: 'hero-test', arm: 'b', model: 'rates@4' }
 */
export class ExperimentRouter {
  private readonly versions: PolicyVersions;
  private readonly plays = new Map<string, Playbook>();

  constructor(private readonly settings: Settings, documents: DocumentStore) {
    this.versions = new PolicyVersions(documents);
  }

  async route(placement: string, unit: () => Promise<string>, play: Playbook): Promise<{ experiment: StageExperiment; play: Playbook } | undefined> {
    const e = this.settings.get(experimentsKind).running.get(placement);
    if (!e) return undefined;
    const a = assign(await unit(), { salt: e.salt, arms: e.arms });
    if (a.kind !== 'arm') return undefined;
    const arm = e.arms[a.armIndex];
    const experiment: StageExperiment = { id: e.id, arm: arm.id, ...(arm.model ? { model: arm.model } : {}), ...(arm.variant ? { variant: arm.variant } : {}) };
    if (arm.policy === undefined || arm.policy === play.policyVersion) return { experiment, play };
    return { experiment, play: await this.armPlay(e, arm.policy, play) };
  }

  private async armPlay(e: CompiledExperiment, version: number, live: Playbook): Promise<Playbook> {
    const key = `${e.id}|${version}`;
    const hit = this.plays.get(key);
    if (hit && hit.catalog === live.catalog && hit.policy.holdout === live.policy.holdout) return hit;
    const pinned = await this.versions.get(version);
    const play = playbookFor(live.catalog, { ...pinned, holdout: live.policy.holdout }, live.catalogVersion, version);
    this.plays.set(key, play);
    return play;
  }
}
