import { describe, expect, it } from 'vitest';
import { documentKinds } from '../server/tact.js';
import { loadConfigFile } from './config-file.js';

describe('the repository’s tact.config.yaml', () => {
  it('is a valid configuration: every section is a known kind and passes its checks', () => {
    const file = loadConfigFile('tact.config.yaml');
    expect(file).toBeDefined();
    const byKey = new Map(documentKinds.map((k) => [k.configKey, k]));
    const sections = Object.keys(file!.sections);
    expect(sections).toEqual(expect.arrayContaining(['features', 'catalog', 'policy']));
    for (const s of sections) {
      const kind = byKey.get(s);
      expect(kind, `section ${s}`).toBeDefined();
      expect(kind!.check(file!.sections[s]), `section ${s}`).toEqual([]);
    }
  });
});
