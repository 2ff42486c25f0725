import type { StoredLookups, StoredWarning } from '../config/document-kind.js';
import type { DocumentStore } from '../config/document-store.js';
import { closestWord } from '../errors/edit-distance.js';
import { namesRead } from '../rules/rule-names.js';
import type { CompiledCatalog } from './catalog-compile.js';
import { policyRules } from './decision-rules.js';
import type { Check } from './facts.js';
import type { FlagDeclaration } from './flag-declarations.js';
import type { Policy } from './policy.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * The flag names the rules in force read, each with where: a policy rule, lever or human-territory
 * entry (`flags.<name>` in its CEL, or its `flags` list), or a catalog action's own rule.
 *
 * @example
 * flagsRead(playbook.policy, playbook.catalog); // Map { 'procurement_delay' => ['the policy rule `paused`'] }
 */
export function flagsRead(policy: CompiledPolicy, catalog: CompiledCatalog): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, where: string) => {
    const list = out.get(name);
    if (!list) out.set(name, [where]);
    else if (!list.includes(where)) list.push(where);
  };
  const fromCheck = (c: Check | undefined, where: string) => {
    for (const f of c?.facts ?? []) if (f.startsWith('flags.')) add(f.slice('flags.'.length), where);
  };
  for (const r of policy.rules) fromCheck(r.check, `the policy rule \`${r.check.name}\``);
  for (const l of policy.levers) fromCheck(l.when, `the lever \`${l.name}\``);
  for (const t of policy.territory) {
    for (const f of t.flags) add(f, `the human territory \`${t.name}\``);
    fromCheck(t.when, `the human territory \`${t.name}\``);
  }
  for (const a of catalog.actions.values()) for (const c of Object.values(a.own)) fromCheck(c, `the action \`${a.id}\`'s own rule`);
  return out;
}

/**
 * The warning a flag gets when no rule in force reads its name — it changes no decision, as a
 * misspelt one would not (QA 2026-12-06: `procurment_delay` was stored and paused no one) — with
 * the closest name a rule does read; undefined when a rule reads it.
 *
 * @example
 * unreadFlagWarning('procurment_delay', flagsRead(policy, catalog));
 * // 'No rule in force reads `flags.procurment_delay` … Did you mean `procurement_delay` (read by the policy rule `paused`)? …'
 */
export function unreadFlagWarning(name: string, read: ReadonlyMap<string, readonly string[]>): string | undefined {
  if (read.has(name)) return undefined;
  const near = closestWord(name, [...read.keys()]);
  const hint = near ? ` Did you mean \`${near}\` (read by ${(read.get(near) ?? []).join(', ')})?` : read.size ? ` The flags they read: ${[...read.keys()].map((n) => `\`${n}\``).join(', ')}.` : ' No rule reads any flag.';
  return `No rule in force reads \`flags.${name}\`, and no human territory lists it: the flag is stored and shows in the decisions' facts, but changes no decision until one does.${hint} Flag names are case-sensitive.`;
}

/**
 * The warnings a policy gets for each flag name its rules, levers or human territory read that no
 * open or declared flag has, while one with a close name is (`procurment_delay` beside an open
 * `procurement_delay`): the rule holds for no one as it meant to — the reverse of
 * {@link unreadFlagWarning}, which POST /v1/flags gives (QA 2026-12-06: a policy PUT was silent).
 * A name no flag is close to is not warned of: flags are often added after the rule that reads them.
 * `known`: the names of the open flags and of the declared ones.
 *
 * @example
 * policyFlagWarnings({ rules: [{ name: 'paused', stage: 'suitability', when: '!has(flags.procurment_delay)' }] }, ['procurement_delay']);
 * // [{ field: 'rules[0].when', message: 'The rule in `rules[0].when` reads `flags.procurment_delay`, … Did you mean `procurement_delay`? …' }]
 */
export function policyFlagWarnings(body: Policy | undefined, known: Iterable<string>): StoredWarning[] {
  const names = new Set(known);
  if (!names.size) return [];
  const out: StoredWarning[] = [];
  const check = (field: string, what: string, name: string) => {
    if (names.has(name)) return;
    const near = closestWord(name, names);
    if (near) out.push({ field, message: `${what} reads \`flags.${name}\`, and no open or declared flag has that name: no subject has it now. Did you mean \`${near}\`? Flag names are case-sensitive. The policy is taken.` });
  };
  for (const r of policyRules(body)) for (const name of namesRead(r.expression, 'flags')) check(r.field, `The rule in \`${r.field}\``, name);
  (Array.isArray(body?.humanTerritory) ? body.humanTerritory : []).forEach((t, i) => {
    (Array.isArray(t?.flags) ? t.flags : []).forEach((name, j) => {
      if (typeof name === 'string') check(`humanTerritory[${i}].flags[${j}]`, `The human territory \`${String(t.name)}\` (\`humanTerritory[${i}].flags[${j}]\`)`, name);
    });
  });
  return out;
}

/**
 * The names of the flags open now (`lookups.flags`, when at hand) and of those the configuration
 * declares: what a policy's `flags.<name>` is checked against.
 *
 * @example
 * await knownFlagNames(store.documents, { flags: store.decisions }); // Set { 'procurement_delay' }
 */
export async function knownFlagNames(documents: Pick<DocumentStore, 'latest'>, lookups: StoredLookups | undefined): Promise<Set<string>> {
  const declared = (await documents.latest<FlagDeclaration[]>('flags'))?.body;
  const out = new Set<string>((Array.isArray(declared) ? declared : []).map((d) => d?.name).filter((n): n is string => typeof n === 'string'));
  for (const f of (await lookups?.flags?.openFlags()) ?? []) out.add(f.name);
  return out;
}
