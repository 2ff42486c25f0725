import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { validationError, withArticle } from '../errors/tact-error.js';
import type { ApiKey, KeyKind, KeyStore, RevokeOutcome } from './key-store.js';

const PREFIX: Record<KeyKind, string> = { write: 'tact_w_', server: 'tact_s_', admin: 'tact_a_' };
/**
 * The label of a key generated at a start because its kind had no active key (the first start, or
 * a later one after the kind's keys were revoked). Keys generated before 2026-12-05 carry the
 * label they were given then, which said "first start" of every start: both are bootstrap labels.
 */
const GENERATED = 'generated at start';
const GENERATED_BEFORE = 'generated on first start';
const isBootstrapLabel = (label: string) => label.trim() === GENERATED || label.trim() === GENERATED_BEFORE || /^from TACT_(WRITE|SERVER|ADMIN)_KEY$/.test(label.trim());
const ENV: Record<KeyKind, string> = { write: 'TACT_WRITE_KEY', server: 'TACT_SERVER_KEY', admin: 'TACT_ADMIN_KEY' };

/**
 * SHA-256 of a secret, hex: the only form in which keys are stored. A fast hash, not a password
 * hash (bcrypt, scrypt): a key Tact makes holds 256 random bits, which no amount of hashing speed
 * lets anyone guess back from a stolen table, and a slow hash would cost every request (or a cache
 * miss) milliseconds of CPU. A key chosen by a person (TACT_*_KEY) has no such margin, so a short one
 * is warned of at start. The store is asked for the row of the hash, never compared to the secret
 * itself: how long a lookup takes can only tell how much of an unknown hash matched, which says
 * nothing of the secret (why no constant-time comparison is needed here).
 */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new secret of a kind, e.g. "tact_s_5mQ…" (32 random bytes, base64url). */
export function newSecret(kind: KeyKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

/** Longer secrets are checked without the cache (a key Tact makes has 50 characters). */
const MAX_CACHED_SECRET = 256;

/** Checked secrets remembered at most; past it the cache starts over (a flood of wrong keys grows nothing). */
const MAX_CACHED = 10_000;

/**
 * Below this, a key given in the environment is warned of: 32 characters of `openssl rand -hex 16`
 * hold 128 random bits, a strength NIST SP 800-57 Part 1 (rev. 5, table 4) accepts beyond 2030 (a
 * key Tact makes holds 256). Length is all that can be told of a value someone chose.
 */
export const WEAK_KEY_LENGTH = 32;

/**
 * Keys: made, listed, revoked, and checked on every request. Lookups are cached for a few
 * seconds, so a revoked key stops working within `cacheMs`. The cache is keyed by the secret as
 * the request carried it, so a request whose key was checked lately is not hashed again (a SHA-256
 * per request was ≈ 6% of a minimal request's main-thread time); secrets live only in memory, as
 * they do while each request is handled.
 */
/** The longest label a key may have, in characters (the API's schema says the same). */
export const MAX_LABEL = 200;

export class Keys {
  private cache = new Map<string, { key: ApiKey | undefined; until: number }>();
  /** Counts revokes: an answer read from the store before one is not kept after it. */
  private revokes = 0;
  private readonly warn: (message: string) => void;
  private readonly info: (data: Record<string, unknown>, message: string) => void;

  /** `info`: where a start logs the bootstrap keys it revokes (`key revoked`, as the API and the CLI log theirs). */
  constructor(private readonly store: KeyStore, private readonly cacheMs = 5000, o: { warn?: (message: string) => void; info?: (data: Record<string, unknown>, message: string) => void } = {}) {
    this.warn = o.warn ?? (() => {});
    this.info = o.info ?? (() => {});
  }

  /** The active key a secret belongs to, or undefined. */
  async authenticate(secret: string): Promise<ApiKey | undefined> {
    const key = await this.identify(secret);
    return key && key.revokedAt === null ? key : undefined;
  }

  /**
   * The key a secret belongs to, active or revoked (`revokedAt` set), or undefined when it is none
   * of this store's: a request presenting a revoked key is refused as such, while a token that is
   * no key of Tact's may be passed over (server/auth.ts).
   *
   * @example
   * const key = await keys.identify(secret); // key?.revokedAt !== null: revoked
   */
  async identify(secret: string): Promise<ApiKey | undefined> {
    const now = Date.now();
    const cacheable = secret.length <= MAX_CACHED_SECRET;
    const hit = cacheable ? this.cache.get(secret) : undefined;
    if (hit && hit.until > now) return hit.key;
    const revokes = this.revokes;
    const key = await this.store.findByHash(hashKey(secret));
    if (cacheable && revokes === this.revokes) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(secret, { key, until: now + this.cacheMs });
    }
    return key;
  }

  /** Makes a key; the secret is returned once and never stored. The labels of the keys made at start are kept for them. */
  async create(kind: KeyKind, given: string, secret = newSecret(kind)): Promise<{ key: ApiKey; secret: string }> {
    const label = given.trim();
    if (!label) throw validationError([{ field: 'label', message: 'The `label` must say what the key is for; it was empty.' }]);
    // The API's schema says the same (routes.ts); the command line comes here without it.
    const length = [...label].length;
    if (length > MAX_LABEL) throw validationError([{ field: 'label', message: `The \`label\` has ${length} characters; it may have at most ${MAX_LABEL}.` }]);
    const control = /[\u0000-\u001f\u007f-\u009f]/u.exec(label);
    if (control) {
      const code = `U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      throw validationError([{ field: 'label', message: `The \`label\` holds the control character ${code} at position ${control.index + 1}: a label is one line of text (it is shown in \`tact keys list\` and in logs).` }]);
    }
    if (isBootstrapLabel(label)) {
      throw validationError([{ field: 'label', message: `The \`label\` "${label}" is kept for the keys Tact makes at start (a new TACT_*_KEY value revokes them); choose another.` }]);
    }
    return this.register(kind, label, secret);
  }

  private async register(kind: KeyKind, label: string, secret = newSecret(kind)): Promise<{ key: ApiKey; secret: string }> {
    const key: ApiKey = { id: randomUUID(), kind, label, createdAt: Date.now(), revokedAt: null };
    await this.store.create({ ...key, hash: hashKey(secret) });
    return { key, secret };
  }

  list(): Promise<ApiKey[]> {
    return this.store.list();
  }

  async revoke(id: string): Promise<boolean> {
    return this.revoking(() => this.store.revoke(id, Date.now()));
  }

  /**
   * Revokes a key unless it is the last active admin key (the API's revoke), checked and revoked in
   * one step of the store, so two servers on one store revoking the last two admin keys at once
   * revoke one.
   *
   * @example
   * if ((await keys.revokeUnlessLastAdmin(id)) === 'last-admin') throw …;
   */
  revokeUnlessLastAdmin(id: string): Promise<RevokeOutcome> {
    return this.revoking(() => this.store.revokeUnlessLastAdmin(id, Date.now()));
  }

  private async revoking<T>(write: () => Promise<T>): Promise<T> {
    // Counted before and after: a check reading the store while the revoke is written keeps nothing.
    this.revokes += 1;
    try {
      return await write();
    } finally {
      this.revokes += 1;
      this.cache.clear();
    }
  }

  /**
   * Makes sure each kind has a key. A key given in TACT_WRITE_KEY / TACT_SERVER_KEY / TACT_ADMIN_KEY
   * is registered (if new) and replaces the earlier bootstrap keys of its kind (from that variable,
   * or generated at a start), which are revoked and logged; keys made with `tact keys create` or the API
   * stay. A variable holding a revoked key, or a key the `Authorization` header could not carry, stops the start; one
   * shorter than {@link WEAK_KEY_LENGTH} is warned of. A kind with no active key and no variable
   * gets a generated key, returned so the caller can print it once.
   */
  async bootstrap(env: NodeJS.ProcessEnv): Promise<{ kind: KeyKind; secret: string; from: 'env' | 'generated' }[]> {
    const out: { kind: KeyKind; secret: string; from: 'env' | 'generated' }[] = [];
    for (const kind of ['write', 'server', 'admin'] as KeyKind[]) {
      const given = env[ENV[kind]];
      if (given) {
        refuseUnsendable(kind, given);
        if (given.length < WEAK_KEY_LENGTH) {
          this.warn(`${ENV[kind]} is ${given.length} characters long; a key anyone may guess gives ${withArticle(kind)} key's powers to whoever reaches this server. Set at least ${WEAK_KEY_LENGTH} random characters (openssl rand -hex 32), or unset it and use the key Tact generates.`);
        }
        const key = await this.fromEnv(kind, given);
        if (key.created) out.push({ kind, secret: given, from: 'env' });
        await this.revokeBootstrapKeysBut(kind, key.id);
        continue;
      }
      if ((await this.store.countActive(kind)) === 0) {
        const { secret } = await this.register(kind, GENERATED);
        out.push({ kind, secret, from: 'generated' });
      }
    }
    return out;
  }

  /**
   * Checks the TACT_*_KEY values as {@link bootstrap} will, without writing anything: a value the
   * `Authorization` header could not carry, one registered as another kind, or one revoked throws.
   * A start runs it before it applies the config file, so a start refused for a key changes
   * nothing (until 2026-12-05 the file's changes were stored, and live in the other processes of
   * a PostgreSQL store, before the key stopped the start).
   */
  async checkBootstrap(env: NodeJS.ProcessEnv): Promise<void> {
    for (const kind of ['write', 'server', 'admin'] as KeyKind[]) {
      const given = env[ENV[kind]];
      if (!given) continue;
      refuseUnsendable(kind, given);
      const existing = await this.store.findByHash(hashKey(given));
      if (existing) refuseRegistered(kind, existing);
    }
  }

  /** The key of an environment variable, registered if new; never quotes the secret in an error. */
  private async fromEnv(kind: KeyKind, given: string): Promise<{ id: string; created: boolean }> {
    let existing = await this.store.findByHash(hashKey(given));
    if (!existing) {
      try {
        const { key } = await this.register(kind, `from ${ENV[kind]}`, given);
        return { id: key.id, created: true };
      } catch (err) {
        // Another process starting at the same moment on the same database registered it first.
        existing = await this.store.findByHash(hashKey(given));
        if (!existing) throw err;
      }
    }
    refuseRegistered(kind, existing);
    return { id: existing.id, created: false };
  }

  private async revokeBootstrapKeysBut(kind: KeyKind, keep: string): Promise<void> {
    const bootstrapLabels = [GENERATED, GENERATED_BEFORE, `from ${ENV[kind]}`];
    for (const k of await this.store.list()) {
      if (k.kind === kind && k.id !== keep && k.revokedAt === null && bootstrapLabels.includes(k.label)) {
        await this.revoke(k.id);
        // Logged as the API and the CLI log a revoke, so an operator who finds a key dead can tell why.
        this.info({ key: k.id, kind, label: k.label, by: 'start', replacedBy: ENV[kind] }, 'key revoked');
      }
    }
  }
}

/** Refuses a value in the environment that is registered as a key of another kind, or revoked; never quotes the secret. */
function refuseRegistered(kind: KeyKind, existing: ApiKey): void {
  if (existing.kind !== kind) {
    throw new Error(`${ENV[kind]} holds a key already registered as ${withArticle(existing.kind)} key; use a different value.`);
  }
  if (existing.revokedAt !== null) {
    throw new Error(`${ENV[kind]} holds a key that was revoked (key ${existing.id}); set a new value, or unset it to use the keys in the store.`);
  }
}

/**
 * Refuses a key given in the environment that the `Authorization` header could not carry: a key
 * there is one word of visible ASCII (a space ends a Bearer key, fetch refuses characters past
 * U+00FF, Node reads bytes past 0x7F as Latin-1), and HTTP Basic ends the user name at its first
 * colon (RFC 7617 §2), so the write key, which the browser client and `tact import` send as the
 * user name, may hold none. Such a key started the server and then failed every request.
 */
function refuseUnsendable(kind: KeyKind, given: string): void {
  const what = unsendable(given, { colon: kind === 'write' });
  if (what === undefined) return;
  const why = what === 'a colon' ? 'which HTTP Basic (the browser client, `tact import`) cannot carry in the user name' : 'which no `Authorization` header can carry (one word of visible ASCII)';
  throw new Error(`${ENV[kind]} holds ${what}, ${why}. Set a value of letters, digits and punctuation (openssl rand -hex 32).`);
}

/**
 * The first character of a secret that `Authorization: Bearer <secret>` cannot carry, said without
 * quoting the secret ("a space", "a control character", "\"é\""), or undefined when there is none;
 * with `colon`, a colon too (HTTP Basic ends the user name at it).
 *
 * @example
 * unsendable('abc\n'); // 'a control character'
 */
export function unsendable(secret: string, o: { colon?: boolean } = {}): string | undefined {
  const bad = [...secret].find((c) => c < '!' || c > '~' || (o.colon === true && c === ':'));
  if (bad === undefined) return undefined;
  return bad === ' ' ? 'a space' : bad === ':' ? 'a colon' : bad < ' ' || bad === '\x7f' ? 'a control character' : `"${bad}"`;
}
