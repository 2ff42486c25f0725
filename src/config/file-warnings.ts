import type { StoredWarning } from './document-kind.js';
import { andList } from '../errors/words.js';

/** A warning of one section of the config file, as its kind found it once every section was in. */
export interface SectionWarning {
  kind: string;
  configKey: string;
  warning: StoredWarning;
}

/** One line the start logs: its data and its sentence. */
export interface FileWarningLine {
  data: { file: string; kind: string; field: string; kinds?: string[] };
  msg: string;
}

/**
 * The lines a start logs of the config file's warnings: one per contradiction. Two sections that
 * contradict each other (the catalog's floor above the policy's budget) each warn of it, under the
 * same `between`: the first section's warning is kept, naming both sections. A warning without
 * `between` is its section's own, kept unless the same section repeats it word for word.
 *
 * @example
 * fileWarningLines('tact.config.yaml', [
 *   { kind: 'catalog', configKey: 'catalog', warning: { field: 'placements[0].selection.floor', message: '…', between: 'x' } },
 *   { kind: 'policy', configKey: 'policy', warning: { field: 'exploration.budget', message: '…', between: 'x' } },
 * ]); // [{ data: { file, kind: 'catalog', field: 'placements[0].selection.floor', kinds: ['catalog', 'policy'] }, msg: 'The `catalog` and `policy` sections of tact.config.yaml are applied with a warning: …' }]
 */
export function fileWarningLines(path: string, found: readonly SectionWarning[]): FileWarningLine[] {
  const groups = new Map<string, { first: SectionWarning; sections: SectionWarning[] }>();
  for (const s of found) {
    const w = s.warning;
    const key = w.between !== undefined ? `between\n${w.between}` : `own\n${s.kind}\n${w.field}\n${w.message}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { first: s, sections: [s] });
    else if (!group.sections.some((x) => x.kind === s.kind)) group.sections.push(s);
  }
  return [...groups.values()].map(({ first, sections }) => {
    const said = `${first.warning.field}: ${first.warning.message}`;
    const data = { file: path, kind: first.kind, field: first.warning.field };
    if (sections.length === 1) return { data, msg: `The \`${first.configKey}\` section of ${path} is applied with a warning: ${said}` };
    return { data: { ...data, kinds: sections.map((s) => s.kind) }, msg: `The ${andList(sections.map((s) => `\`${s.configKey}\``))} sections of ${path} are applied with a warning: ${said}` };
  });
}
