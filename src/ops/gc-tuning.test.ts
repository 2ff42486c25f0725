import { describe, expect, it } from 'vitest';
import { tuneGarbageCollector } from './gc-tuning.js';

describe('tuneGarbageCollector', () => {
  it('doubles the heap-growing factor unless the operator chose one or asked for V8’s defaults', () => {
    expect(tuneGarbageCollector({ TACT_GC: 'default' }, [])).toEqual([]);
    expect(tuneGarbageCollector({}, ['--heap-growing-percent=50'])).toEqual([]);
    expect(tuneGarbageCollector({ NODE_OPTIONS: '--max-old-space-size=4096 --heap_growing_percent=30' }, [])).toEqual([]);
    expect(tuneGarbageCollector({}, ['--max-semi-space-size=64'])).toEqual(['--heap-growing-percent=100']);
  });
});
