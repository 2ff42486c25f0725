import { closestWord } from '../errors/edit-distance.js';
import type { CompiledCatalog } from './catalog-compile.js';
import type { Check } from './facts.js';
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
