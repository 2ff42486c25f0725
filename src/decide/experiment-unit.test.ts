import { describe, expect, it } from 'vitest';
import { experimentUnit } from './experiment-unit.js';

describe('the unit an experiment assigns', () => {
  it('is the value of the oldest identity of the profile, ties broken by kind then value', () => {
    expect(experimentUnit('ana', [{ kind: 'userId', value: 'ana', createdAt: 5 }, { kind: 'anonymousId', value: 'a-1', createdAt: 1 }, { kind: 'email', value: 'ana@x.io', createdAt: 5 }])).toBe('a-1');
    expect(experimentUnit('ana', [{ kind: 'userId', value: 'ana', createdAt: 5 }, { kind: 'email', value: 'ana@x.io', createdAt: 5 }])).toBe('ana@x.io');
    expect(experimentUnit('ana', [{ kind: 'userId', value: 'b', createdAt: 5 }, { kind: 'userId', value: 'a', createdAt: 5 }])).toBe('a');
  });

  it('is the value an identifier names when there is no profile, as the profile will hold it', () => {
    expect(experimentUnit('visitor-1', undefined)).toBe('visitor-1');
    expect(experimentUnit(' visitor-1 ', [])).toBe('visitor-1');
    expect(experimentUnit('anonymousId:visitor-1', undefined)).toBe('visitor-1');
    expect(experimentUnit('email:Ana@Example.COM', undefined)).toBe('ana@example.com');
    expect(experimentUnit('profile:p-1', undefined)).toBe('profile:p-1');
  });
});
