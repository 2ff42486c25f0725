import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument, visit, type Document } from 'yaml';
import { jsonFault, lineColumn } from './text-position.js';

/** Where Tact looks for its config file when TACT_CONFIG is not set. */
export const CONFIG_CANDIDATES = ['tact.config.yaml', 'tact.config.yml', 'tact.config.json'];

export interface ConfigFile {
  path: string;
  sections: Record<string, unknown>;
}

/**
 * Reads the operator's config file (YAML or JSON). Returns undefined when there is none.
 * Throws with the file name and where and why it cannot be parsed (never quoting its text).
 *
 * @example
 * const file = loadConfigFile(process.env.TACT_CONFIG);
 */
export function loadConfigFile(explicit?: string, cwd = process.cwd(), from = 'from TACT_CONFIG or --config'): ConfigFile | undefined {
  const path = explicit ? resolve(cwd, explicit) : CONFIG_CANDIDATES.map((c) => resolve(cwd, c)).find((p) => existsSync(p));
  if (!path) return undefined;
  // `from`: where the name came from, as the command takes it (`tact config push` names its file as an argument).
  if (!existsSync(path)) throw new Error(`The config file ${path} (${from}) does not exist.`);
  if (statSync(path).isDirectory()) throw new Error(`The config file ${path} (${from}) is a folder, not a file: name the file in it (${CONFIG_CANDIDATES[0]}, …).`);
  // A byte-order mark (editors on Windows write one) is not part of the text.
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const sections = path.endsWith('.json') ? parseJson(path, text) : parseYamlFile(path, text);
  return checkSections(path, sections);
}

/** The parsed JSON, or an error naming the line and column and why (never quoting the text). */
function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const fault = jsonFault(text);
    if (!fault) throw new Error(`The config file ${path} could not be parsed: ${(err as Error).message.replace(/,? ?".*$/s, '')}`);
    const { line, column } = lineColumn(text, fault.offset);
    throw new Error(`The config file ${path} could not be parsed: at line ${line}, column ${column}, ${fault.reason}.`);
  }
}

/**
 * The parsed YAML, or an error with the parser's reason, line and column — never the file's text,
 * which may hold a secret: the parser's own words for an unresolved alias (`*x`) or tag (`!x`)
 * quote the value (an unquoted secret starting with `*` or `!`), so those are said here, and its
 * warnings are not printed (they went to stderr as they were, until 2026-12-05).
 */
function parseYamlFile(path: string, text: string): unknown {
  const fail = (reason: string, at: number | undefined) => {
    const where = typeof at === 'number' && at >= 0 ? lineColumn(text, at) : undefined;
    return new Error(`The config file ${path} could not be parsed: ${reason}${where ? ` at line ${where.line}, column ${where.column}` : ''}.`);
  };
  const doc = parseDocument(text, { prettyErrors: false, logLevel: 'silent' });
  const [error] = doc.errors;
  if (error) throw fail(error.message, error.pos[0]);
  const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tag) throw fail('a value starts with `!`, which YAML reads as a tag it does not know (quote the value)', tag.pos[0]);
  const alias = unresolvedAlias(doc);
  if (alias !== undefined) throw fail('a value starts with `*`, which YAML reads as an alias of an anchor not set before it (quote the value)', alias);
  return doc.toJS();
}

/** Where the first alias naming no anchor set before it starts, if any. */
function unresolvedAlias(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  return at;
}

/** The parsed file as its sections: an empty file has none; anything but a mapping is refused. */
function checkSections(path: string, parsed: unknown): ConfigFile {
  let sections = parsed;
  if (sections === null || sections === undefined) sections = {};
  if (typeof sections !== 'object' || Array.isArray(sections)) throw new Error(`The config file ${path} must hold a mapping of sections (features, mergeRules, trackingPlan, lifecycle …).`);
  return { path, sections: sections as Record<string, unknown> };
}
