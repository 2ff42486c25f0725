import { afterEach, describe, expect, it } from 'vitest';
import { restoreEnv } from '../../test/tmp.js';
import { isRetryableStoreError } from '../store/open.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { Tact } from '../server/tact.js';
import { logLevel } from './log-level.js';

describe('TACT_LOG_LEVEL', () => {
  const saved = { ...process.env };
  afterEach(() => restoreEnv(saved));

  it('stops the start with a sentence naming the variable and the levels, not pino\'s "default level:verbose must be included in custom levels"', async () => {
    process.env.TACT_LOG_LEVEL = 'verbose';
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      await expect(Tact.create({ store, background: false, isRetryable: isRetryableStoreError })).rejects.toThrow(/^TACT_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal or silent; it was "verbose"\.$/);
    } finally {
      await store.close();
    }
  });

  it('takes the levels in any case, and means `info` when unset or empty (docs/configuration.md)', () => {
    expect(logLevel({})).toBe('info');
    expect(logLevel({ TACT_LOG_LEVEL: '' })).toBe('info');
    expect(logLevel({ TACT_LOG_LEVEL: 'WARN' })).toBe('warn');
    expect(logLevel({ TACT_LOG_LEVEL: ' debug ' })).toBe('debug');
    expect(() => logLevel({ TACT_LOG_LEVEL: 'warning' })).toThrow(/TACT_LOG_LEVEL must be one of .*; it was "warning"/);
  });
});
