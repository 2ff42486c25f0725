import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Where Tact looks for its config file when TACT_CONFIG is not set. */
export const CONFIG_CANDIDATES = ['tact.config.yaml', 'tact.config.yml', 'tact.config.json'];

export interface ConfigFile {
  path: string;
  sections: Record<string, unknown>;
}

/**
 * Reads the operator's config file (YAML or JSON). Returns undefined when there is none.
 * Throws with the file name and the parser's reason when it cannot be read.
 *
 * @example
 * const file = loadConfigFile(process.env.TACT_CONFIG);
 */
export function loadConfigFile(explicit?: string, cwd = process.cwd()): ConfigFile | undefined {
  const path = explicit ? resolve(cwd, explicit) : CONFIG_CANDIDATES.map((c) => resolve(cwd, c)).find((p) => existsSync(p));
  if (!path) return undefined;
  if (!existsSync(path)) throw new Error(`The config file ${path} (from TACT_CONFIG or --config) does not exist.`);
  const text = readFileSync(path, 'utf8');
  let sections: unknown;
  try {
    sections = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new Error(`The config file ${path} could not be parsed: ${(err as Error).message}`);
  }
  if (sections === null || sections === undefined) sections = {};
  if (typeof sections !== 'object' || Array.isArray(sections)) throw new Error(`The config file ${path} must hold a mapping of sections (features, mergeRules, trackingPlan, lifecycle …).`);
  return { path, sections: sections as Record<string, unknown> };
}
