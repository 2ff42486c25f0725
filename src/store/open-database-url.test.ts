import { describe, expect, it } from 'vitest';
import { storeChoiceFromEnv } from './open.js';

describe('TACT_DATABASE_URL', () => {
  for (const value of ['nonsense', 'localhost:5432/tact', 'mysql://tact@db/tact', 'http://db:5432/tact']) {
    it(`refuses "${value}" (not a postgres:// URL), naming TACT_DATABASE_URL`, () => {
      expect(() => storeChoiceFromEnv({ TACT_DATABASE_URL: value })).toThrow(/^TACT_DATABASE_URL must be a PostgreSQL URL/);
    });
  }

  it('does not repeat a password the refused value holds', () => {
    let message = '';
    try {
      storeChoiceFromEnv({ TACT_DATABASE_URL: 'mysql://ana:hunter2@db/tact' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('TACT_DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  for (const value of ['postgres://ana:pw@127.0.0.1:5432/tact', 'postgresql://db/tact', 'POSTGRES://db/tact', 'postgresql:///tact?host=/var/run/postgresql']) {
    it(`takes ${value}`, () => {
      expect(storeChoiceFromEnv({ TACT_DATABASE_URL: value }).databaseUrl).toBe(value);
    });
  }

  it('is not needed: without it the embedded store is chosen', () => {
    expect(storeChoiceFromEnv({ TACT_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
