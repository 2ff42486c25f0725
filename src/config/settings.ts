import { createHash } from 'node:crypto';
import { type FieldProblem, validationError } from '../errors/tact-error.js';
import { FILE_AUTHOR } from './author.js';
import type { ConfigFile } from './config-file.js';
import { type DocumentKind, type StoredLookups, type StoredWarning, unknownFields } from './document-kind.js';
import { ConfigurationMoved, type DocumentStore, type PlannedJobs, type PutResult, staleVersion, type StoredDocument } from './document-store.js';
import { fileWarningLines, type SectionWarning } from './file-warnings.js';
import { keepSecrets, secretChanges, type SecretChange } from './secrets.js';

type AnyKind = DocumentKind<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type ChangeListener = (kind: string, change: PutResult<unknown>) => void | Promise<void>;

/**
 * A stored change with what the kind warns of in it (applied all the same; none: nothing to say) —
 * or, `unchanged`, the version in force, which already held the document sent: no version was written.
 */
export type AppliedDocument<T> = (PutResult<T> & { unchanged: false } | StoredDocument<T> & { epoch: number; unchanged: true }) & { warnings: FieldProblem[]; secrets?: SecretChange[] };

/**
 * The configuration in force, compiled: every document kind at its latest version, plus the
 * epoch they were read at. Changes go through `put` (checked, versioned, then reloaded);
 * other processes notice a newer epoch and reload.
 */
export class Settings {
  private compiled = new Map<string, unknown>();
  private versions = new Map<string, number>();
  private listeners: ChangeListener[] = [];
  private before: ((kind: string) => Promise<(() => void) | void>)[] = [];
  private planners: ((kind: string, body: unknown) => Promise<PlannedJobs | undefined>)[] = [];
  private loadedEpoch = -1;

  /** `lookups`: what checks against stored state may ask beyond the documents (the model registry). */
  constructor(private readonly docs: DocumentStore, private readonly kinds: readonly AnyKind[], private readonly lookups: StoredLookups = {}) {
    for (const k of kinds) this.compiled.set(k.kind, k.compile(k.empty));
  }

  /** The epoch the compiled settings were read at. */
  get epoch(): number {
    return this.loadedEpoch;
  }

  /** The compiled form of a kind. */
  get<C>(kind: DocumentKind<unknown, C>): C {
    return this.compiled.get(kind.kind) as C;
  }

  /** The version of a kind in force (0 before any was written). */
  version(kind: string): number {
    return this.versions.get(kind) ?? 0;
  }

  kind(name: string): AnyKind | undefined {
    return this.kinds.find((k) => k.kind === name);
  }

  allKinds(): readonly AnyKind[] {
    return this.kinds;
  }

  onChange(fn: ChangeListener): void {
    this.listeners.push(fn);
  }

  /**
   * Runs before a change is stored (the ingestor finishes what it took, under the old settings,
   * and holds the rest). A function it resolves with is called once the change was stored, loaded
   * and heard by every listener, or failed.
   */
  beforeChange(fn: (kind: string) => Promise<(() => void) | void>): void {
    this.before.push(fn);
  }

  /**
   * Names the jobs a change brings (a feature's backfill): `fn`, asked once the change is checked and
   * about to be stored, answers what to create with it, given its version and cut — in the same
   * transaction (DocumentStore.put), so no crash stores the change without them.
   */
  planJobs(fn: (kind: string, body: unknown) => Promise<PlannedJobs | undefined>): void {
    this.planners.push(fn);
  }

  /**
   * Reads every kind's latest version and compiles it, then puts them all in force at once: the
   * reads wait on the store between kinds, and a reader meanwhile (a decision, a segment lookup
   * caching by epoch) must see the settings before or after, never new features with old segments.
   * A reload that read an older epoch than one already in force changes nothing. The kinds are
   * read one query at a time, so a change committed while they are read (of several kinds at once,
   * putAll) could be read in part: every change moves the epoch in its transaction, so when the
   * epoch read after the kinds is not the one read before, they are read again — a process never
   * puts part of a change in force.
   */
  async reload(): Promise<void> {
    let epoch = await this.docs.epoch();
    let compiled = new Map<string, unknown>();
    let versions = new Map<string, number>();
    for (let attempt = 1; ; attempt++) {
      compiled = new Map();
      versions = new Map();
      for (const k of this.kinds) {
        const doc = await this.docs.latest(k.kind);
        const history = doc && k.history ? await this.docs.history(k.kind, k.history) : undefined;
        compiled.set(k.kind, k.compile(doc ? doc.body : k.empty, history));
        versions.set(k.kind, doc?.version ?? 0);
      }
      const after = await this.docs.epoch();
      if (after === epoch) break;
      // Changes without end meanwhile (each reload reads every kind): the newest read is kept as
      // read older — the next refresh finds the epoch moved and reads them again.
      if (attempt === 5) break;
      epoch = after;
    }
    if (epoch < this.loadedEpoch) return;
    this.compiled = compiled;
    this.versions = versions;
    this.loadedEpoch = epoch;
  }

  /** Reloads when another process (or a direct store write) moved the epoch on. */
  async refreshIfStale(): Promise<boolean> {
    const epoch = await this.docs.epoch();
    if (epoch === this.loadedEpoch) return false;
    await this.reload();
    return true;
  }

  /**
   * Checks and stores a new version of a kind, then reloads and tells the listeners. A secret sent
   * back as `{"redacted": true}` (the document as read) keeps the one in force.
   * Throws a 400 naming each bad field; answers the kind's warnings (DocumentKind.warnStored) with the change.
   * A document the version in force already holds (key order aside) writes nothing — unless the
   * config file wrote that version: a PUT hands the kind to the API — and the answer is
   * that version, `unchanged` (until 2026-12-06 each such PUT wrote a new version, a retried or
   * scripted PUT lengthening the history and the way back of a rollback). A stale `expectedVersion`
   * is still a conflict.
   */
  async put(kindName: string, sent: unknown, meta: { author: string; reason: string; expectedVersion?: number }): Promise<AppliedDocument<unknown>> {
    if (!this.kind(kindName)) throw validationError([{ field: 'kind', message: `There is no configuration kind \`${kindName}\`; the kinds are ${this.kinds.map((x) => x.kind).join(', ')}.` }]);
    // A change of one kind: its problems named as in its own document.
    const [applied] = await this.putAll([{ kind: kindName, document: sent, expectedVersion: meta.expectedVersion }], meta, (_kind, field) => field);
    return applied;
  }

  /**
   * Stores checked versions as one change: the hooks told first (the ingestor holds its queue
   * until the change is in force), the jobs each brings planned into its transaction, then the
   * settings reloaded and every listener told of each kind, in order.
   */
  private async store(writes: readonly { kind: string; body: unknown; expectedVersion?: number }[], meta: { author: string; reason: string; expectedEpoch?: number }): Promise<PutResult<unknown>[]> {
    const after: (() => void)[] = [];
    try {
      for (const w of writes) {
        for (const b of this.before) {
          const then = await b(w.kind);
          if (then) after.push(then);
        }
      }
      const planned = [];
      for (const w of writes) {
        const plans: PlannedJobs[] = [];
        for (const p of this.planners) {
          const plan = await p(w.kind, w.body);
          if (plan) plans.push(plan);
        }
        planned.push({ ...w, jobs: plans.length ? (change: { version: number; eventSeq: number }) => plans.flatMap((p) => p(change)) : undefined });
      }
      const results = await this.docs.putAll(planned, meta);
      await this.reload();
      for (const r of results) for (const l of this.listeners) await l(r.kind, r);
      return results;
    } finally {
      for (const then of after) then();
    }
  }

  /**
   * Checks and stores new versions of several kinds as one change: each is checked against the
   * others as they will be (a lifecycle rule moved to a renamed feature, and the old feature
   * removed — one at a time, the removal is refused while the rule reads it), and they are written
   * in one transaction with one author and reason, so no process ever has part of the change in
   * force. Nothing is written when any is refused: a 400 naming every bad field, each named by
   * `at(kind, field)`; a stale `expectedVersion` is a 409 for the whole change. A kind whose version
   * in force already holds the document sent is answered `unchanged` and gets no version, as by
   * `put` (with `fromFile`, also one the config file wrote); the others' warnings are against the
   * configuration with the whole change in force.
   * The answers are in the kinds' order (`allKinds`), whatever the order sent. With `dryRun`
   * nothing is stored: the answers are what the change would be — refused for the same problems
   * or conflict, else each kind's next version (or `unchanged`) and its warnings against the
   * configuration with the whole change in place.
   */
  async putAll(sent: readonly { kind: string; document: unknown; expectedVersion?: number }[], meta: { author: string; reason: string; dryRun?: boolean; fromFile?: boolean }, at: (kind: string, field: string) => string = (kind, field) => (field ? `${kind}.${field}` : kind)): Promise<AppliedDocument<unknown>[]> {
    // The checks read kinds the change does not write (the features a lifecycle rule reads), and the
    // change is written only after the hooks (the ingestor's queue) answer: another change committed
    // meanwhile — by a request of this process or another process's — could make this one wrong
    // (until 2026-12-08 a rule and the removal of the feature it reads, sent at once, were both
    // taken). So it is written only at the epoch it was checked at, and checked again when that moved.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.checkAndPut(sent, meta, at, await this.docs.epoch());
      } catch (err) {
        if (!(err instanceof ConfigurationMoved) || attempt === MOVED_ATTEMPTS) throw err;
      }
    }
  }

  /** putAll's one attempt: checked against the configuration at `epoch`, and written only while it is in force. */
  private async checkAndPut(sent: readonly { kind: string; document: unknown; expectedVersion?: number }[], meta: { author: string; reason: string; dryRun?: boolean; fromFile?: boolean }, at: (kind: string, field: string) => string, epoch: number): Promise<AppliedDocument<unknown>[]> {
    const named = (kind: string, problems: FieldProblem[]) => problems.map((p) => ({ ...p, field: at(kind, p.field) }));
    const changes: { k: AnyKind; body: unknown; expectedVersion?: number; live?: StoredDocument<unknown> }[] = [];
    const faults: FieldProblem[] = [];
    for (const c of sent) {
      const k = this.kind(c.kind);
      if (!k) throw validationError([{ field: at(c.kind, ''), message: `There is no configuration kind \`${c.kind}\`; the kinds are ${this.kinds.map((x) => x.kind).join(', ')}.` }]);
      const live = await this.docs.latest(k.kind);
      const kept = k.secrets ? keepSecrets(c.document, live?.body, k.secrets) : { body: c.document, problems: [] };
      faults.push(...named(k.kind, kept.problems));
      changes.push({ k, body: kept.body, expectedVersion: c.expectedVersion, live });
    }
    if (faults.length) throw validationError(faults);
    changes.sort((a, b) => this.kinds.indexOf(a.k) - this.kinds.indexOf(b.k));
    // Each against the others as they will be, those well formed in themselves (as a config file's sections are).
    const pending = new Map(changes.filter((c) => !checkDocument(c.k, c.body).length).map((c) => [c.k.kind, c.body] as const));
    for (const c of changes) {
      const others = new Map([...pending].filter(([kind]) => kind !== c.k.kind));
      faults.push(...named(c.k.kind, await this.problems(c.k, c.body, withPending(this.docs, others, meta.author))));
    }
    if (faults.length) throw validationError(faults);
    const unchanged = (c: (typeof changes)[number]) => c.live !== undefined && holdsAlready(c.live, c.body, c.expectedVersion, meta.fromFile === true);
    if (meta.dryRun) return this.wouldPut(changes, unchanged, meta);
    const writes = changes.filter((c) => !unchanged(c)).map((c) => ({ kind: c.k.kind, body: c.body, expectedVersion: c.expectedVersion }));
    const results = writes.length ? await this.store(writes, { author: meta.author, reason: meta.reason, expectedEpoch: epoch }) : [];
    const after = results[0]?.epoch ?? (await this.docs.epoch());
    const answers: AppliedDocument<unknown>[] = [];
    for (const c of changes) {
      // Against the configuration with the whole change in force.
      const warnings = (await this.warnings(c.k, c.body)).map(asProblem);
      const written = results.find((r) => r.kind === c.k.kind);
      answers.push({ ...(written ? { ...written, unchanged: false as const } : { ...c.live!, epoch: after, unchanged: true as const }), warnings, ...secretsOf(c) });
    }
    return answers;
  }

  /**
   * What a checked change of several kinds would store (putAll's dry run), storing nothing: a kind
   * at another version than expected is the conflict the write would be; each other kind its next
   * version, dated now, and its warnings against the configuration with the whole change in place.
   */
  private async wouldPut(changes: readonly { k: AnyKind; body: unknown; expectedVersion?: number; live?: StoredDocument<unknown> }[], unchanged: (c: (typeof changes)[number]) => boolean, meta: { author: string; reason: string }): Promise<AppliedDocument<unknown>[]> {
    for (const c of changes) {
      const current = c.live?.version ?? 0;
      if (c.expectedVersion !== undefined && c.expectedVersion !== current) throw staleVersion(c.k.kind, current, c.expectedVersion);
    }
    const epoch = await this.docs.epoch();
    const writes = changes.filter((c) => !unchanged(c));
    const next = { epoch: epoch + (writes.length ? 1 : 0), eventSeq: 0 };
    const answers: AppliedDocument<unknown>[] = [];
    for (const c of changes) {
      const others = new Map(writes.filter((w) => w !== c).map((w) => [w.k.kind, w.body] as const));
      const warnings = (c.k.warnStored ? await c.k.warnStored(c.body, withPending(this.docs, others, meta.author), this.lookups) : []).map(asProblem);
      answers.push({ ...(unchanged(c) ? { ...c.live!, epoch, unchanged: true as const } : { kind: c.k.kind, version: (c.live?.version ?? 0) + 1, body: c.body, author: meta.author, reason: meta.reason, createdAt: Date.now(), ...next, unchanged: false as const }), warnings, ...secretsOf(c) });
    }
    return answers;
  }

  /**
   * Applies the sections of the config file that changed since the file was last applied (by
   * content hash), so an edit made through the API is not undone by an unchanged file at restart.
   * Every changed section is checked first against the file as a whole (the features a rule of
   * another section reads, the feature it removes), and a file with any fault changes nothing: the
   * error names every bad section. The changed sections are then stored as one change (putAll's
   * transaction): no process has part of the file in force.
   *
   * A section taken out of the file changes nothing stored either: the version it last wrote
   * stays in force (the API may own a kind the file does not name). While that version is the
   * one in force, `warn` is told at each start, naming the section and how to remove it.
   * `warn` is told too of each applied section's warnings, against the file's other sections:
   * once per contradiction, though both sections it is between warn of it.
   */
  async applyFile(file: ConfigFile, warn?: (data: Record<string, unknown>, msg: string) => void): Promise<string[]> {
    const known = new Set(this.kinds.map((k) => k.configKey));
    const unknown = Object.keys(file.sections).filter((s) => !known.has(s));
    if (unknown.length) {
      throw new Error(`The config file ${file.path} has section(s) ${unknown.join(', ')} that Tact does not know; the sections are ${[...known].join(', ')}.`);
    }
    for (let attempt = 0; ; attempt++) {
      const epoch = await this.docs.epoch();
      const marks = ((await this.docs.latest<Record<string, string>>('config-file'))?.body ?? {}) as Record<string, string>;
      const changed = this.kinds
        .filter((k) => k.configKey in file.sections)
        .map((k) => ({ k, body: file.sections[k.configKey], hash: sectionHash(file.sections[k.configKey]) }))
        // A mark written before 2026-12-05 hashed the section's JSON in the file's key order: taken as it was.
        .filter((c) => marks[c.k.kind] !== c.hash && marks[c.k.kind] !== legacySectionHash(c.body));
      // Each section is checked against the file as a whole: the stored configuration with every
      // changed section of the file that is well formed in itself in place — a file raising the
      // policy's retention and an action's attribution window together is one change (until
      // 2026-12-05 the catalog was checked against the policy stored, and such a file was refused).
      // A section already in force as it is (the API wrote the same document) writes no version,
      // so it is not one: checked as a new version, an experiment pinning "the policy's next
      // version" passed here and failed as the file was written (until 2026-12-05).
      const stored = new Map<string, StoredDocument<unknown> | undefined>();
      for (const c of changed) stored.set(c.k.kind, await this.docs.latest(c.k.kind));
      const inForce = new Set(changed.filter((c) => { const doc = stored.get(c.k.kind); return doc !== undefined && sectionHash(doc.body) === c.hash; }).map((c) => c.k.kind));
      const pending = new Map(changed.filter((c) => !inForce.has(c.k.kind) && !checkDocument(c.k, c.body).length).map((c) => [c.k.kind, c.body] as const));
      const faults: string[] = [];
      for (const { k, body } of changed) {
        // Against the file's other sections, this one as stored: shown itself as the latest, a
        // section could not see what it removes (until 2026-12-06 a rate a stored segment reads,
        // removed by the file, was refused only as it was written, after the sections before it were stored).
        const others = new Map([...pending].filter(([kind]) => kind !== k.kind));
        const problems = await this.problems(k, body, withPending(this.docs, others));
        if (problems.length) faults.push(`The \`${k.configKey}\` section of ${file.path} is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join(' ')}`);
      }
      if (faults.length) throw new Error(faults.join(' '));
      if (warn && attempt === 0) {
        for (const { k } of changed) {
          const doc = stored.get(k.kind);
          const by = doc?.author === FILE_AUTHOR ? loadedFrom(doc.reason) : undefined;
          if (doc && !inForce.has(k.kind) && by !== undefined && by !== file.path) warn({ file: file.path, kind: k.kind, section: k.configKey, version: doc.version, writtenBy: by }, otherFileWarning(file.path, { kind: k.kind, configKey: k.configKey, version: doc.version, by }, true));
        }
      }
      // Every changed section not in force, as one change (one transaction, one epoch): no process —
      // another on PostgreSQL reloading meanwhile — has part of the file in force (until 2026-12-07
      // each section was a change of its own, so a feature the file removes could be gone while
      // the rule the file moves off it was still in force). Each is written against the version
      // read and checked: of two processes applying the same file at once (a rolling restart), one
      // writes it; the other, refused, reads again and finds it in force.
      const writes = changed.filter((c) => !inForce.has(c.k.kind)).map((c) => ({ kind: c.k.kind, body: c.body, expectedVersion: stored.get(c.k.kind)?.version ?? 0 }));
      try {
        if (writes.length) await this.store(writes, { author: FILE_AUTHOR, reason: `loaded from ${file.path}`, expectedEpoch: epoch });
      } catch (err) {
        // A stale version, or another change since the checks (ConfigurationMoved): read and checked again.
        if (attempt < MOVED_ATTEMPTS - 1 && (err as { code?: string }).code === 'conflict') continue;
        throw err;
      }
      const applied = writes.map((w) => w.kind);
      const next = { ...marks, ...Object.fromEntries(changed.map((c) => [c.k.kind, c.hash])) };
      if (changed.length) await this.docs.put('config-file', next, { author: FILE_AUTHOR, reason: applied.length ? `applied ${applied.join(', ')}` : 'marked sections already in force' });
      await this.reload();
      // Once every section is in: a warning between two of them (catalog and policy) holds for the file as a whole.
      if (warn) {
        const found: SectionWarning[] = [];
        for (const { k, body } of changed) for (const warning of await this.warnings(k, body)) found.push({ kind: k.kind, configKey: k.configKey, warning });
        for (const line of fileWarningLines(file.path, found)) warn(line.data, line.msg);
        for (const left of await this.leftByFile(file)) warn({ file: file.path, kind: left.kind, section: left.configKey, version: left.version }, removedSectionWarning(file.path, left));
      }
      return applied;
    }
  }

  /**
   * The kinds whose version in force a config file wrote (author `config-file`) and that `file`
   * no longer has a section for: taken out of the file, they stay in force.
   */
  async leftByFile(file: ConfigFile): Promise<{ kind: string; configKey: string; version: number; empty: unknown; by?: string }[]> {
    const left = [];
    for (const k of this.kinds) {
      if (k.configKey in file.sections) continue;
      const doc = await this.docs.latest(k.kind);
      if (doc?.author === FILE_AUTHOR) left.push({ kind: k.kind, configKey: k.configKey, version: doc.version, empty: k.empty, by: loadedFrom(doc.reason) });
    }
    return left;
  }

  /**
   * What this version's checks say of the version of a kind in force (none for a kind never
   * written). A stored document is compiled as it is at every load — an earlier version of Tact,
   * or a write straight into the store, may have kept one that the checks now refuse — so the
   * server tells the operator instead of refusing to start.
   */
  async storedProblems(kindName: string): Promise<FieldProblem[]> {
    const doc = this.kind(kindName) ? await this.docs.latest(kindName) : undefined;
    return doc ? this.problemsOf(kindName, doc.body) : [];
  }

  /**
   * What the kind warns of in the version in force (its empty document when none was written),
   * against the other documents as they are now: a change to the policy changes what the catalog
   * warns of. None while the version does not pass this version's checks (`storedProblems` says
   * why): warnings are of checked documents.
   */
  async storedWarnings(kindName: string): Promise<FieldProblem[]> {
    const k = this.kind(kindName);
    if (!k?.warnStored) return [];
    const doc = await this.docs.latest(k.kind);
    return this.warningsOf(k.kind, doc ? doc.body : k.empty);
  }

  /**
   * What a PUT of `body` now would be refused for: this version's checks, against the stored
   * configuration (an earlier version read back for a rollback, say). None for a kind there is not.
   *
   * @example
   * await settings.problemsOf('segments', (await docs.get('segments', 3))!.body); // [] when it would be taken
   */
  async problemsOf(kindName: string, body: unknown): Promise<FieldProblem[]> {
    const k = this.kind(kindName);
    return k ? this.problems(k, body) : [];
  }

  /**
   * What a PUT of `body` now would be warned of, against the other documents in force; none while
   * it has problems (warnings are of checked documents).
   *
   * @example
   * await settings.warningsOf('catalog', catalog); // [{ field: 'placements[0].selection.floor', message: '…' }]
   */
  async warningsOf(kindName: string, body: unknown): Promise<FieldProblem[]> {
    const k = this.kind(kindName);
    if (!k?.warnStored || (await this.problems(k, body)).length) return [];
    return (await this.warnings(k, body)).map(asProblem);
  }

  /** What a kind warns of in a checked body, against the stored configuration. */
  private async warnings(k: AnyKind, body: unknown): Promise<StoredWarning[]> {
    return k.warnStored ? k.warnStored(body, this.docs, this.lookups) : [];
  }

  /** A kind's own checks and declared fields, then its checks against the stored configuration. */
  private async problems(k: AnyKind, body: unknown, docs: DocumentStore = this.docs): Promise<FieldProblem[]> {
    const own = checkDocument(k, body);
    if (!k.checkStored) return own;
    if (!own.length) return k.checkStored(body, docs, this.lookups);
    // Every bad field at once, as the docs promise: the checks against the stored configuration
    // (a misspelt feature in a rule) also run on a document with problems of its own, and add what
    // they find about fields not already named (until 2026-12-05 they ran only once the document
    // was well formed, so a second PUT found the next problem). They were written for well-formed
    // documents: one that fails on this one adds nothing.
    const stored = await Promise.resolve(k.checkStored(body, docs, this.lookups)).catch(() => [] as FieldProblem[]);
    const named = (field: string) => own.some((p) => field === p.field || field.startsWith(`${p.field}.`) || field.startsWith(`${p.field}[`) || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`));
    return [...own, ...stored.filter((p) => !named(p.field))];
  }
}

/**
 * How many times a change is checked and tried when other changes keep committing between its
 * checks and its write (ConfigurationMoved); then the conflict is answered (409), nothing written.
 */
const MOVED_ATTEMPTS = 5;

/**
 * A config-file section's content, hashed so that the order of keys does not count: a section whose
 * keys were only reordered (or restyled) in the file is not a change (until 2026-12-05 it was, and
 * a start re-applied it over an edit made through the API).
 *
 * @example
 * sectionHash({ limits: { userId: 1, email: 5 } }) === sectionHash({ limits: { email: 5, userId: 1 } }); // true
 */
export function sectionHash(section: unknown): string {
  return createHash('sha256').update(JSON.stringify(sortedKeys(section))).digest('hex');
}

/** How a section was hashed before 2026-12-05 (its JSON in the file's key order): marks written then. */
const legacySectionHash = (section: unknown) => createHash('sha256').update(JSON.stringify(section)).digest('hex');

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v).sort()) out[key] = sortedKeys((v as Record<string, unknown>)[key]);
  return out;
}

/** The config file a version was loaded from, by its reason (`loaded from PATH`); undefined for another reason. */
function loadedFrom(reason: string): string | undefined {
  return reason.startsWith('loaded from ') ? reason.slice('loaded from '.length) : undefined;
}

/**
 * What a start says when the version of a section in force was written by another config file
 * than its own: servers sharing one PostgreSQL started with different files (each start re-applies
 * its own file's sections over the other's). Until 2026-12-05 nothing said so, and a section only
 * the other file had was called one "this file no longer has".
 */
function otherFileWarning(path: string, s: { kind: string; configKey: string; version: number; by: string }, replaced: boolean): string {
  const what = `The \`${s.configKey}\` section in force (\`${s.kind}\` version ${s.version}) was written by another config file, ${s.by}, not this one (${path})`;
  return replaced
    ? `${what}; this start replaces it with this file's. Servers sharing one database should start with the same config file: each start re-applies its own file's sections over the other's. (A file that moved is told so once.)`
    : `${what}, and this file has no such section: it stays in force. Servers sharing one database should start with the same config file.`;
}

/** What the start logs of a section taken out of the config file whose last version stays in force. */
function removedSectionWarning(path: string, left: { kind: string; configKey: string; version: number; empty: unknown; by?: string }): string {
  if (left.by !== undefined && left.by !== path) return otherFileWarning(path, { ...left, by: left.by }, false);
  return `The config file ${path} no longer has the \`${left.configKey}\` section, but the version it last applied (\`${left.kind}\` version ${left.version}) stays in force: taking a section out of the file changes nothing stored. To remove it, PUT /v1/config/${left.kind} with the empty document ${JSON.stringify(left.empty)} and a reason (admin key); to keep it, put the section back or change it through the API, which then owns it.`;
}

/**
 * The documents as they will be once the `pending` bodies (by kind) are stored: what a section of
 * the config file, or a kind in a change of several (Settings.putAll), is checked against before
 * any is written. `author`: whose the pending versions are.
 */
function withPending(docs: DocumentStore, pending: ReadonlyMap<string, unknown>, author = FILE_AUTHOR): DocumentStore {
  if (pending.size === 0) return docs;
  const latest = async <T>(kind: string): Promise<StoredDocument<T> | undefined> => {
    const stored = await docs.latest<T>(kind);
    if (!pending.has(kind)) return stored;
    return { kind, version: (stored?.version ?? 0) + 1, body: pending.get(kind) as T, author, reason: 'being applied', createdAt: Date.now() };
  };
  const get = async <T>(kind: string, version: number): Promise<StoredDocument<T> | undefined> => {
    const next = pending.has(kind) ? await latest<T>(kind) : undefined;
    return next?.version === version ? next : docs.get<T>(kind, version);
  };
  return new Proxy(docs, {
    get(target, name) {
      if (name === 'latest') return latest;
      if (name === 'get') return get;
      const v = Reflect.get(target, name, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Whether the version in force already holds the document sent (key order aside), so a change
 * writes no version of it: not when the config file wrote that version — any PUT takes the kind over
 * for the API (docs/configuration.md) — unless the documents are themselves a config file's
 * sections (`fromFile`: `tact config push`, whose file is already in force as the server started
 * with it); nor when the change was made against another version (its write is refused as a conflict).
 */
function holdsAlready(live: StoredDocument<unknown>, body: unknown, expectedVersion: number | undefined, fromFile: boolean): boolean {
  return (fromFile || live.author !== FILE_AUTHOR) && sectionHash(live.body) === sectionHash(body) && (expectedVersion === undefined || expectedVersion === live.version);
}

/** A warning as the API answers it: the field and the sentence. */
function asProblem(w: StoredWarning): FieldProblem {
  return { field: w.field, message: w.message };
}

/** A kind's own checks, and its declared fields (any other is refused). */
function checkDocument(k: AnyKind, body: unknown): FieldProblem[] {
  return [...(k.fields ? unknownFields(body, k.fields) : []), ...k.check(body)];
}

/** What a change does to its kind's secrets (none for a kind without): the version in force against the document sent, markers already replaced. */
function secretsOf(c: { k: AnyKind; body: unknown; live?: StoredDocument<unknown> }): { secrets?: SecretChange[] } {
  return c.k.secrets?.length ? { secrets: secretChanges(c.live?.body, c.body, c.k.secrets) } : {};
}
