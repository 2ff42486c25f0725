import type { Flag } from './records.js';

/** What a rule sees of one active flag, as `flags.<name>`. */
export interface FlagVar {
  note: string;
  until: Date | null;
  since: Date;
  by: string;
  on: 'profile' | 'account';
  account: string | null;
}

/**
 * The flags not cleared, in memory by target (operators record few), so a decision reads its
 * subject's and accounts' flags without a query. Expired flags stay until cleared but are not
 * active.
 *
 * @example
 * book.active('p1', ['acme'], Date.now()); // [{ name: 'procurement_delay', … }]
 */
export class FlagBook {
  private readonly byTarget = new Map<string, Flag[]>();
  /** Targets with an open flag, per kind: asked once a decision, so counted, not scanned for. */
  private readonly targets = { profile: 0, account: 0 };

  load(flags: readonly Flag[]): void {
    this.byTarget.clear();
    this.targets.profile = this.targets.account = 0;
    for (const f of flags) this.put(f);
  }

  put(f: Flag): void {
    const key = `${f.target.kind}:${f.target.id}`;
    const had = this.byTarget.has(key);
    const list = (this.byTarget.get(key) ?? []).filter((x) => x.id !== f.id);
    if (f.clearedAt === null) list.push(f);
    if (list.length) this.byTarget.set(key, list);
    else this.byTarget.delete(key);
    this.targets[f.target.kind] += (list.length > 0 ? 1 : 0) - (had ? 1 : 0);
  }

  /**
   * Active flags on the profile, on the profiles merged into it (`merged`: a flag an account
   * manager set on a person stays when the person's identities merge), and on its accounts.
   */
  active(profileKey: string, accounts: readonly string[], now: number, merged: readonly string[] = []): Flag[] {
    const out: Flag[] = [];
    const add = (key: string) => {
      for (const f of this.byTarget.get(key) ?? []) if (f.until === null || f.until > now) out.push(f);
    };
    add(`profile:${profileKey}`);
    for (const m of merged) add(`profile:${m}`);
    for (const a of accounts) add(`account:${a}`);
    return out;
  }

  /** True when any flag is on a profile (a batch then reads the merges of profiles that absorbed another). */
  get hasProfileFlags(): boolean {
    return this.targets.profile > 0;
  }

  /** True when any account flag exists (decisions then need the subject's accounts). */
  get hasAccountFlags(): boolean {
    return this.targets.account > 0;
  }
}

/**
 * Active flags as rule variables, by name (a profile flag wins over an account flag of the same name).
 *
 * @example
 * flagVars(book.active(key, accounts, now)).procurement_delay.until; // Date
 */
export function flagVars(flags: readonly Flag[]): Record<string, FlagVar> {
  const out: Record<string, FlagVar> = {};
  for (const f of flags) {
    if (out[f.name] && out[f.name].on === 'profile') continue;
    out[f.name] = { note: f.note, until: f.until === null ? null : new Date(f.until), since: new Date(f.createdAt), by: f.author, on: f.target.kind, account: f.target.kind === 'account' ? f.target.id : null };
  }
  return out;
}

const isoOrNull = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * A flag as the API answers it: times as ISO-8601, and `active` — not cleared and not expired
 * (what a decision's rules see as `flags.<name>`).
 *
 * @example
 * flagView(flag).active; // true
 */
export function flagView(f: Flag, at?: { now: number }) {
  // `at` is an object, not a number, so that `flags.map(flagView)` — which passes each flag's index second — does not type-check.
  const now = at?.now ?? Date.now();
  return { ...f, until: isoOrNull(f.until), createdAt: isoOrNull(f.createdAt), clearedAt: isoOrNull(f.clearedAt), active: f.clearedAt === null && (f.until === null || f.until > now) };
}
