import { describe, expect, it } from 'vitest';
import { gcSettings, tuneGarbageCollector } from './gc-tuning.js';

describe('tuneGarbageCollector', () => {
  it('doubles the heap-growing factor and stops pretenuring, unless the operator chose otherwise or asked for V8’s defaults', () => {
    expect(tuneGarbageCollector({ TACT_GC: 'default' }, [])).toEqual([]);
    expect(tuneGarbageCollector({}, ['--heap-growing-percent=50'])).toEqual(['--no-allocation-site-pretenuring']);
    expect(tuneGarbageCollector({ NODE_OPTIONS: '--heap_growing_percent=30 --allocation-site-pretenuring' }, [])).toEqual([]);
    expect(tuneGarbageCollector({}, ['--max-semi-space-size=64'])).toEqual(['--heap-growing-percent=100', '--no-allocation-site-pretenuring']);
  });

  it('names the heap flags Node was given and those applied, for the start-up log', () => {
    expect(gcSettings(['--heap-growing-percent=100'], ['--max-semi-space-size=64', '--no-memory-reducer', '--enable-source-maps'])).toBe('--max-semi-space-size=64 --no-memory-reducer --heap-growing-percent=100');
    expect(gcSettings([], ['--inspect'])).toBe('V8 defaults');
  });
});
