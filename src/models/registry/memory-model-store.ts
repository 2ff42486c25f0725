import type { LiveModel, ModelEvent, ModelStore, ModelVersion, ModelVersionSummary, TrainingLease } from './model-store.js';

/**
 * The model registry's storage in memory: the fake unit tests use (the conformance suite runs
 * the real ones).
 *
 * @example
 * const registry = new ModelRegistry(new MemoryModelStore());
 */
export class MemoryModelStore implements ModelStore {
  private readonly versionsByName = new Map<string, ModelVersion[]>();
  private readonly liveByName = new Map<string, LiveModel>();
  private readonly log: ModelEvent[] = [];
  private readonly leases = new Map<string, TrainingLease>();

  async addVersion(v: Omit<ModelVersion, 'version'>): Promise<number> {
    const list = this.versionsByName.get(v.name) ?? this.versionsByName.set(v.name, []).get(v.name)!;
    const version = list.length + 1;
    list.push({ ...structuredClone(v), version });
    return version;
  }

  async getVersion(name: string, version: number): Promise<ModelVersion | undefined> {
    return structuredClone(this.versionsByName.get(name)?.[version - 1]);
  }

  async versions(name: string, limit: number): Promise<ModelVersionSummary[]> {
    return [...(this.versionsByName.get(name) ?? [])].reverse().slice(0, limit).map(({ state: _state, ...s }) => s);
  }

  async names(): Promise<string[]> {
    return [...this.versionsByName.keys()].sort();
  }

  async live(name: string): Promise<LiveModel | undefined> {
    return this.liveByName.get(name);
  }

  async setLive(name: string, version: number, event: ModelEvent): Promise<boolean> {
    if ((this.liveByName.get(name)?.version ?? null) !== event.previous) return false;
    this.liveByName.set(name, { name, version, since: event.at });
    this.log.push(event);
    return true;
  }

  async recordEvent(event: ModelEvent): Promise<void> {
    this.log.push(event);
  }

  async events(name: string, limit: number): Promise<ModelEvent[]> {
    return this.log.filter((e) => e.name === name).reverse().slice(0, limit);
  }

  async takeTraining(lease: TrainingLease): Promise<TrainingLease> {
    const held = this.leases.get(lease.name);
    if (held && held.until >= lease.since) return { ...held };
    this.leases.set(lease.name, { ...lease });
    return lease;
  }

  async renewTraining(name: string, token: string, until: number): Promise<boolean> {
    const held = this.leases.get(name);
    if (held?.token !== token) return false;
    held.until = until;
    return true;
  }

  async releaseTraining(name: string, token: string): Promise<void> {
    if (this.leases.get(name)?.token === token) this.leases.delete(name);
  }
}
