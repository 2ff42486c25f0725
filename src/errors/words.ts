/**
 * Names in a sentence: `a`, `a and b`, `a, b and c` (none: the empty string). The one way every
 * message lists names.
 *
 * @example
 * andList(['`userId`', '`email`', '`anonymousId`']); // '`userId`, `email` and `anonymousId`'
 */
export function andList(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
