import { describe, expect, it } from 'vitest';
import { durabilityFromEnv, sqliteSynchronous } from './durability.js';

describe('TACT_DURABILITY', () => {
  it('defaults to fsync, accepts os, and names the variable and the choices for anything else', () => {
    expect(durabilityFromEnv(undefined)).toBe('fsync');
    expect(durabilityFromEnv('')).toBe('fsync');
    expect(durabilityFromEnv('os')).toBe('os');
    expect(() => durabilityFromEnv('fast')).toThrow('TACT_DURABILITY must be `fsync` (acknowledge after the disk flush; the default) or `os` (after the write reached the operating system); it was `fast`.');
    expect([sqliteSynchronous('fsync'), sqliteSynchronous('os'), sqliteSynchronous(undefined)]).toEqual(['FULL', 'NORMAL', 'FULL']);
  });
});
