import type { DocumentStore } from '../config/document-store.js';
import { closestWord } from '../errors/edit-distance.js';
import type { FieldProblem } from '../errors/tact-error.js';
import type { Catalog } from './catalog.js';
import type { Policy } from './policy.js';

/** The channels, topics, action ids and consent purposes a catalog has (its actions' and placements'), and its version (0: none written). */
export interface CatalogNames {
  version: number;
  channels: ReadonlySet<string>;
  topics: ReadonlySet<string>;
  actions: ReadonlySet<string>;
  /** The actions' `purpose`s: the only purposes the consent stage asks about. */
  purposes: ReadonlySet<string>;
  /** Each action's id, topics and channels: what an item naming several of them must find in one action. */
  offers: readonly { id: string; topics: readonly string[]; channels: readonly string[] }[];
}

type Kind = 'channel' | 'topic' | 'action' | 'purpose';
/** One name a policy gives of the catalog: where, which kind, and what the policy item does if it matches nothing. */
interface NameUse {
  field: string;
  kind: Kind;
  name: string;
  effect: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const objects = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x)) : []);

/**
 * What a catalog names (of a body stored before it was checked too: what is not a name is skipped).
 *
 * @example
 * catalogNames({ actions: [{ id: 'a', name: 'A', channels: ['email'], topics: ['news'] }] }, 1).channels; // Set { 'email' }
 */
export function catalogNames(body: Catalog | undefined, version: number): CatalogNames {
  const channels = new Set<string>();
  const topics = new Set<string>();
  const actions = new Set<string>();
  const purposes = new Set<string>();
  const offers: CatalogNames['offers'][number][] = [];
  for (const a of objects(body?.actions)) {
    if (typeof a.id === 'string') actions.add(a.id);
    if (typeof a.id === 'string') offers.push({ id: a.id, topics: strings(a.topics), channels: strings(a.channels) });
    if (typeof a.purpose === 'string') purposes.add(a.purpose);
    for (const c of strings(a.channels)) channels.add(c);
    for (const t of strings(a.topics)) topics.add(t);
  }
  for (const p of objects(body?.placements)) {
    if (typeof p.channel === 'string') channels.add(p.channel);
    for (const t of strings(p.topics)) topics.add(t);
  }
  return { version, channels, topics, actions, purposes, offers };
}

/** Every channel, topic and action id the policy names, in document order, with what its item does when the name matches nothing. */
function policyNameUses(body: Policy | undefined): NameUse[] {
  const uses: NameUse[] = [];
  const filter = (items: unknown, at: string, effect: string) => {
    objects(items).forEach((f, i) => {
      for (const [key, kind] of [['actions', 'action'], ['topics', 'topic'], ['channels', 'channel']] as const) {
        strings(f[key]).forEach((name, k) => uses.push({ field: `${at}[${i}].${key}[${k}]`, kind, name, effect }));
      }
    });
  };
  filter(body?.rules, 'rules', 'the rule would never apply to it');
  const k = (body?.contact ?? {}) as Record<string, unknown>;
  objects(k.caps).forEach((cap, i) => {
    for (const kind of ['channel', 'topic', 'action'] as const) {
      if (typeof cap[kind] === 'string') uses.push({ field: `contact.caps[${i}].${kind}`, kind, name: cap[kind] as string, effect: 'the cap would count nothing' });
    }
  });
  const q = k.quietHours as Record<string, unknown> | undefined;
  strings(q?.channels).forEach((name, i) => uses.push({ field: `contact.quietHours.channels[${i}]`, kind: 'channel', name, effect: 'these quiet hours would never apply to it' }));
  objects(k.budgets).forEach((b, i) => {
    if (typeof b.channel === 'string') uses.push({ field: `contact.budgets[${i}].channel`, kind: 'channel', name: b.channel, effect: 'the budget would limit nothing' });
  });
  filter(body?.levers, 'levers', 'the lever would never apply to it');
  // Consent is asked only for the purposes the actions declare: any other listed is assumed for nothing.
  strings((body?.consent as Record<string, unknown> | undefined)?.assumeGranted).forEach((name, i) => uses.push({ field: `consent.assumeGranted[${i}]`, kind: 'purpose', name, effect: 'nothing would be assumed granted by it' }));
  return uses;
}

const PLURAL: Record<Kind, 'channels' | 'topics' | 'actions' | 'purposes'> = { channel: 'channels', topic: 'topics', action: 'actions', purpose: 'purposes' };

/**
 * A policy's rules, levers, caps, quiet hours and budgets name channels, topics and actions of the
 * catalog, and its `consent.assumeGranted` the consent purposes of its actions; one the catalog does
 * not have matches nothing, silently — quiet hours on `e-mail` when the catalog says `email` never
 * apply, and night e-mails go out; `Advertsing` assumed granted leaves every `Advertising` action
 * needing recorded consent. Each such name is a problem naming its field, the closest name the
 * catalog has, and (for channels, topics and purposes) what it has.
 *
 * @example
 * policyTargetProblems({ contact: { quietHours: { from: '21:00', to: '08:00', channels: ['e-mail'] } } }, catalogNames(shopCatalog(), 1));
 * // [{ field: 'contact.quietHours.channels[0]', message: 'The `contact.quietHours.channels[0]` names the channel `e-mail`, … Did you mean `email`? …' }]
 */
export function policyTargetProblems(body: Policy | undefined, names: CatalogNames): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const u of policyNameUses(body)) {
    const known = names[PLURAL[u.kind]];
    if (known.has(u.name)) continue;
    const named = `The \`${u.field}\` names the ${u.kind} \`${u.name}\``;
    // Only actions declare a purpose; channels and topics are the actions' and the placements'.
    const holders = u.kind === 'purpose' ? 'action' : 'action or placement';
    if (names.version === 0) {
      out.push({ field: u.field, message: `${named}, which no ${holders} of the catalog has (none is written yet: write the catalog first; a config file writes it before the policy): ${u.effect}.` });
      continue;
    }
    const near = closestWord(u.name, known);
    const mean = near ? ` Did you mean \`${near}\`?` : '';
    if (u.kind === 'action') {
      out.push({ field: u.field, message: `${named}, which the catalog (version ${names.version}) does not have: ${u.effect}.${mean || ` The catalog has ${known.size} action${known.size === 1 ? '' : 's'}.`}` });
    } else {
      const has = known.size ? ` The catalog's ${PLURAL[u.kind]} are ${[...known].join(', ')}.` : ` The catalog has no ${PLURAL[u.kind]}.`;
      out.push({ field: u.field, message: `${named}, which no ${holders} of the catalog (version ${names.version}) has: ${u.effect}.${mean}${has}` });
    }
  }
  // Each name is the catalog's: an item naming several kinds must still find them in one action.
  const bad = new Set(out.map((p) => p.field.replace(/\.(actions|topics|channels|action|topic|channel)(\[\d+\])?$/, '')));
  for (const f of policyFilters(body)) if (!bad.has(f.at)) out.push(...disjoint(f, names));
  return out.sort((a, b) => order(a.field) - order(b.field));
}

/** An item of the policy that narrows by more than one of action, topic and channel. */
interface Filter {
  at: string;
  noun: string;
  effect: string;
  actions?: string[];
  topics?: string[];
  channels?: string[];
}

/** The rules', caps' and levers' filters (quiet hours and budgets name channels alone). */
function policyFilters(body: Policy | undefined): Filter[] {
  const list = (v: unknown) => (Array.isArray(v) ? strings(v) : undefined);
  const one = (v: unknown) => (typeof v === 'string' ? [v] : undefined);
  const out: Filter[] = [];
  objects(body?.rules).forEach((r, i) => out.push({ at: `rules[${i}]`, noun: 'rule', effect: 'the rule would never apply', actions: list(r.actions), topics: list(r.topics), channels: list(r.channels) }));
  objects((body?.contact as Record<string, unknown> | undefined)?.caps).forEach((c, i) => out.push({ at: `contact.caps[${i}]`, noun: 'cap', effect: 'the cap would count nothing', actions: one(c.action), topics: one(c.topic), channels: one(c.channel) }));
  objects(body?.levers).forEach((l, i) => out.push({ at: `levers[${i}]`, noun: 'lever', effect: 'the lever would never apply', actions: list(l.actions), topics: list(l.topics), channels: list(l.channels) }));
  return out.filter((f) => [f.actions, f.topics, f.channels].filter((x) => x?.length).length >= 2);
}

const quote = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(' or ');

/**
 * An item naming actions, topics and channels that are each the catalog's, though no action has
 * them together — a cap on the `sms` channel for the action `winback`, which is e-mail only — would
 * match nothing, as silently as a misspelt name.
 *
 * @example
 * disjoint({ at: 'contact.caps[0]', noun: 'cap', effect: 'the cap would count nothing', actions: ['loan-offer'], channels: ['email'] }, names);
 * // [{ field: 'contact.caps[0]', message: 'The `contact.caps[0]` names the action `loan-offer` and the channel `email`, … `loan-offer` is on web …' }]
 */
function disjoint(f: Filter, names: CatalogNames): FieldProblem[] {
  const fits = (o: CatalogNames['offers'][number]) =>
    (!f.actions || f.actions.includes(o.id)) && (!f.topics || o.topics.some((t) => f.topics!.includes(t))) && (!f.channels || o.channels.some((c) => f.channels!.includes(c)));
  if (names.offers.some(fits)) return [];
  const parts = [f.actions && `the action ${quote(f.actions)}`, f.topics && `the topic ${quote(f.topics)}`, f.channels && `the channel ${quote(f.channels)}`].filter(Boolean).join(' and ');
  const named = f.actions ? names.offers.filter((o) => f.actions!.includes(o.id)) : [];
  const has = named.map((o) => `\`${o.id}\` is on ${o.channels.join(', ') || 'no channel'}${o.topics.length ? ` with the topic${o.topics.length === 1 ? '' : 's'} ${o.topics.join(', ')}` : ' with no topic'}`).join('; ');
  return [{ field: f.at, message: `The \`${f.at}\` names ${parts}, each the catalog's, but no action of the catalog (version ${names.version}) has them together: ${f.effect}.${has ? ` ${has.charAt(0).toUpperCase()}${has.slice(1)}.` : ''}` }];
}

/** Problems in document order (rules, contact, levers, consent; by item): a filter's after its own names'. */
function order(field: string): number {
  const i = ['rules', 'contact.caps', 'contact.quietHours', 'contact.budgets', 'levers', 'consent'].findIndex((p) => field.startsWith(p));
  const item = /^[A-Za-z.]+\[(\d+)\]/.exec(field);
  return (i < 0 ? 99 : i) * 1e6 + (item ? Number(item[1]) : 0);
}

/**
 * {@link policyTargetProblems} against the catalog stored (the one in force): a policy write is
 * refused with them (the config file writes the catalog first), and a stored policy is reported
 * with them when a later catalog dropped what it names.
 *
 * @example
 * await checkPolicyTargets(policy, store.documents); // [] when every name is the catalog's
 */
export async function checkPolicyTargets(body: Policy, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const uses = policyNameUses(body);
  if (!uses.length) return [];
  const catalog = await documents.latest<Catalog>('catalog');
  return policyTargetProblems(body, catalogNames(catalog?.body, catalog?.version ?? 0));
}
