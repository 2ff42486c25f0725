import type { ProfileState } from '../../profiles/profile-state.js';

/**
 * Parsed profile states kept in memory, keyed by id and checked against the row's version
 * before use, so a copy written by another process is never trusted. Least recently used first out.
 */
export class ProfileCache {
  private readonly map = new Map<string, ProfileState>();
  constructor(private readonly capacity: number) {}

  get(id: string, version: number): ProfileState | undefined {
    const s = this.map.get(id);
    if (!s) return undefined;
    if (s.version !== version) {
      this.map.delete(id);
      return undefined;
    }
    this.map.delete(id);
    this.map.set(id, s);
    return s;
  }

  set(s: ProfileState): void {
    if (this.capacity <= 0) return;
    this.map.delete(s.id);
    this.map.set(s.id, s);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  delete(id: string): void {
    this.map.delete(id);
  }

  clear(): void {
    this.map.clear();
  }
}
