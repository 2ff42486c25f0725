import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, serverTimeouts, timeoutOptions } from './timeouts.js';

describe('server timeouts from the environment', () => {
  it('takes the defaults when the variables are unset or empty', () => {
    expect(serverTimeouts({})).toEqual({ headersMs: 30_000, requestMs: 60_000, keepAliveMs: 72_000 });
    expect(serverTimeouts({ TACT_HEADERS_TIMEOUT_MS: '', TACT_REQUEST_TIMEOUT_MS: '', TACT_KEEP_ALIVE_TIMEOUT_MS: '' })).toEqual(DEFAULT_TIMEOUTS);
  });

  it('keeps idle keep-alive connections longer than a load balancer\'s 60 s by default', () => {
    expect(DEFAULT_TIMEOUTS.keepAliveMs).toBeGreaterThan(60_000);
  });

  it('reads each variable in milliseconds', () => {
    expect(serverTimeouts({ TACT_HEADERS_TIMEOUT_MS: '5000', TACT_REQUEST_TIMEOUT_MS: '45000', TACT_KEEP_ALIVE_TIMEOUT_MS: '90000' })).toEqual({ headersMs: 5000, requestMs: 45_000, keepAliveMs: 90_000 });
  });

  for (const [name, value] of [['TACT_REQUEST_TIMEOUT_MS', '60'], ['TACT_REQUEST_TIMEOUT_MS', '1.5'], ['TACT_HEADERS_TIMEOUT_MS', 'abc'], ['TACT_KEEP_ALIVE_TIMEOUT_MS', '-1'], ['TACT_KEEP_ALIVE_TIMEOUT_MS', '0'], ['TACT_REQUEST_TIMEOUT_MS', '3600001']]) {
    it(`refuses ${name}="${value}" by name`, () => {
      expect(() => serverTimeouts({ [name]: value })).toThrow(`${name} must be a whole number of milliseconds from 100 to 3600000`);
    });
  }

  it('refuses a headers limit longer than the request limit, naming both', () => {
    expect(() => serverTimeouts({ TACT_HEADERS_TIMEOUT_MS: '40000', TACT_REQUEST_TIMEOUT_MS: '20000' })).toThrow('TACT_HEADERS_TIMEOUT_MS (40000) must not be longer than TACT_REQUEST_TIMEOUT_MS (20000)');
  });

  it('checks the limits at most every 5 s, and four times within the shortest', () => {
    expect(timeoutOptions(DEFAULT_TIMEOUTS).http.connectionsCheckingInterval).toBe(5_000);
    expect(timeoutOptions({ headersMs: 400, requestMs: 800, keepAliveMs: 1000 }).http.connectionsCheckingInterval).toBe(100);
  });
});
