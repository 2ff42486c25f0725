import { describe, expect, it } from 'vitest';
import { keepSecrets, redactSecrets, REDACTED, secretChanges } from './secrets.js';

const PATHS = ['webhook.secret'];

describe('secrets in configuration documents are write-only', () => {
  it('a read shows the marker in place of each secret that is set, and leaves the rest (and the stored body) as it is', () => {
    const stored = { alpha: 0.01, webhook: { url: 'https://ops.example.com/hook', secret: 's3cr3t' } };
    expect(redactSecrets(stored, PATHS)).toEqual({ alpha: 0.01, webhook: { url: 'https://ops.example.com/hook', secret: { redacted: true } } });
    expect(stored.webhook.secret).toBe('s3cr3t');
    // Nothing set, nothing to hide: no marker appears where there was no secret.
    expect(redactSecrets({ webhook: { url: 'https://ops.example.com/hook' } }, PATHS)).toEqual({ webhook: { url: 'https://ops.example.com/hook' } });
    expect(redactSecrets({}, PATHS)).toEqual({});
    expect(redactSecrets({ webhook: 'odd' }, PATHS)).toEqual({ webhook: 'odd' });
    expect(redactSecrets([1, 2], PATHS)).toEqual([1, 2]);
    expect(redactSecrets(stored, undefined)).toBe(stored);
  });

  it('a write that sends the marker back keeps the stored secret; a new value replaces it', () => {
    const stored = { webhook: { url: 'https://a.example.com', secret: 's3cr3t' } };
    const sent = { alpha: 0.02, webhook: { url: 'https://b.example.com', secret: { ...REDACTED } } };
    expect(keepSecrets(sent, stored, PATHS)).toEqual({ body: { alpha: 0.02, webhook: { url: 'https://b.example.com', secret: 's3cr3t' } }, problems: [] });
    expect(sent.webhook.secret).toEqual({ redacted: true });
    const rotated = { webhook: { url: 'https://a.example.com', secret: 'new' } };
    expect(keepSecrets(rotated, stored, PATHS)).toEqual({ body: rotated, problems: [] });
  });

  it('the marker with no secret stored is a problem naming the field', () => {
    const sent = { webhook: { url: 'https://a.example.com', secret: { redacted: true } } };
    for (const stored of [undefined, {}, { webhook: { url: 'https://a.example.com' } }]) {
      const { problems } = keepSecrets(sent, stored, PATHS);
      expect(problems).toEqual([{ field: 'webhook.secret', message: expect.stringMatching(/^The `webhook\.secret` is the redacted marker .* no secret is stored/) }]);
    }
    // Only the exact marker stands for the stored secret; another object is the kind's to refuse.
    expect(keepSecrets({ webhook: { secret: { redacted: true, x: 1 } } }, undefined, PATHS).problems).toEqual([]);
  });

  it('says what a change does to each secret, which no read can show: kept, set, changed, removed; nothing where neither side has one', () => {
    const hook = (secret?: string) => ({ webhook: { url: 'https://a.example.com', ...(secret === undefined ? {} : { secret }) } });
    expect(secretChanges(hook('a'), hook('a'), PATHS)).toEqual([{ path: 'webhook.secret', change: 'kept' }]);
    expect(secretChanges(hook(), hook('a'), PATHS)).toEqual([{ path: 'webhook.secret', change: 'set' }]);
    expect(secretChanges(undefined, hook('a'), PATHS)).toEqual([{ path: 'webhook.secret', change: 'set' }]);
    expect(secretChanges(hook('a'), hook('b'), PATHS)).toEqual([{ path: 'webhook.secret', change: 'changed' }]);
    expect(secretChanges(hook('a'), {}, PATHS)).toEqual([{ path: 'webhook.secret', change: 'removed' }]);
    expect(secretChanges(hook(), hook(), PATHS)).toEqual([]);
    expect(secretChanges(hook('a'), hook('a'), undefined)).toEqual([]);
  });
});
