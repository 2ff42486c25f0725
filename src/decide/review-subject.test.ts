import { describe, expect, it } from 'vitest';
import { reviewSubject } from './review-subject.js';

describe('reviewSubject', () => {
  const ids = [
    { kind: 'anonymousId', value: 'a-1', createdAt: 1 },
    { kind: 'email', value: 'ana@example.com', createdAt: 2 },
    { kind: 'userId', value: 'ana-2', createdAt: 4 },
    { kind: 'userId', value: 'ana', createdAt: 3 },
  ];
  it('names a profile id by its oldest userId, else e-mail, else anonymousId', () => {
    expect(reviewSubject('profile:p-1', ids)).toBe('userId:ana');
    expect(reviewSubject('profile:p-1', ids.filter((i) => i.kind !== 'userId'))).toBe('email:ana@example.com');
    expect(reviewSubject('profile:p-1', ids.slice(0, 1))).toBe('anonymousId:a-1');
  });
  it('keeps any other subject, and a profile id with no readable identity, as given', () => {
    expect(reviewSubject('ana@example.com', ids)).toBe('ana@example.com');
    expect(reviewSubject('profile:p-1', [{ kind: 'ios:idfa', value: 'X', createdAt: 1 }])).toBe('profile:p-1');
    expect(reviewSubject('profile:p-1', undefined)).toBe('profile:p-1');
  });
});
