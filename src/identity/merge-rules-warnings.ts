import { closestWord } from '../errors/edit-distance.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { DEFAULT_MERGE_RULES, kindRank, OWN_IDENTIFIER_KINDS, SEGMENT_KINDS, withDefaults, type MergeRulesDocument } from './merge-rules.js';
import { andList } from '../errors/words.js';

/**
 * What a checked merge rules document does that it likely does not mean, each a warning naming
 * its field (applied all the same): a kind a letter or two from one of Tact's (`emial`), which only
 * an external id of that `type` could have, so its limit binds no e-mail and the order gives
 * e-mails no place; and a `priority` that leaves out one of Tact's kinds, saying where each ranks.
 * (Until 2026-12-06 both were taken in silence.)
 *
 * @example
 * mergeRulesWarnings({ limits: { emial: 2 } }); // [{ field: 'limits.emial', message: '… Did you mean `email`? …' }]
 */
export function mergeRulesWarnings(doc: MergeRulesDocument): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const kind of Object.keys(doc.limits ?? {})) {
    const w = nearOwnKind(kind, `limits.${kind}`, 'its limit binds no value of Tact\'s kinds');
    if (w) out.push(w);
  }
  const priority = doc.priority ?? [];
  priority.forEach((kind, i) => {
    const w = nearOwnKind(kind, `priority[${i}]`, 'it places none of Tact\'s kinds');
    if (w) out.push(w);
  });
  // Named in the default order, which is Tact's own kinds' order.
  const left = DEFAULT_MERGE_RULES.priority.filter((k) => !priority.includes(k));
  if (doc.priority !== undefined && left.length) {
    out.push({
      field: 'priority',
      message: `The \`priority\` leaves out ${andList(left.map((k) => `\`${k}\``))}: a kind not listed ranks after the listed ones, in the default order (userId, email, other external ids, anonymousId), and before an \`anonymousId\` listed last. The order in force is ${orderInForce(doc.priority).join(', ')}. The rules are applied; list ${left.length > 1 ? 'them' : 'it'} to place ${left.length > 1 ? 'them' : 'it'} elsewhere.`,
    });
  }
  return out;
}

/**
 * A warning for a kind a letter or two from one of Tact's, or undefined. One of Tact's kinds
 * written in another case or with `_` or `-`, and Segment's names, are refused by checkMergeRules
 * and not warned of here.
 */
function nearOwnKind(kind: string, field: string, effect: string): FieldProblem | undefined {
  if (OWN_IDENTIFIER_KINDS.includes(kind) || Object.hasOwn(SEGMENT_KINDS, kind)) return undefined;
  const near = closestWord(kind, OWN_IDENTIFIER_KINDS);
  if (near === undefined) return undefined;
  return {
    field,
    message: `The \`${field}\` names the kind \`${kind}\`, none of Tact's (${OWN_IDENTIFIER_KINDS.join(', ')}): only an external id whose \`type\` is \`${kind}\` has it, and ${effect}. Did you mean \`${near}\`? The rules are applied as written.`,
  };
}

/** The kinds of an order as they rank in force, with those it leaves out (external ids not listed as one entry). */
function orderInForce(priority: readonly string[]): string[] {
  const rules = withDefaults({ priority: [...priority] });
  const kinds = [...new Set([...priority, ...OWN_IDENTIFIER_KINDS])].sort((a, b) => kindRank(rules, a) - kindRank(rules, b));
  // Unlisted external ids rank just before anonymousId when it ends the order or is left out, else last.
  const anon = kinds.indexOf('anonymousId');
  const at = anon === kinds.length - 1 ? anon : kinds.length;
  kinds.splice(at, 0, 'other external ids (by name)');
  return kinds.map((k, i) => (i === at ? k : `\`${k}\``));
}
