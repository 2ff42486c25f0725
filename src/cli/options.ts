/**
 * Checks of the values given on the command line, each refusing a wrong one by its name before a
 * command does anything.
 *
 * @example
 * wholeNumber('--batch', '500', 1, 500); // 500
 * portNumber('--port', '70000'); // throws 'The --port "70000" is not a port: …'
 */
export function wholeNumber(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`The ${name} "${value}" must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}.`);
  return n;
}

/**
 * A number from `min` to `max` (ends included); `what` says what it is, for the sentence.
 *
 * @example
 * numberIn('--exploration', '0.1', 0, 1, 'a share from 0 to 1'); // 0.1
 */
export function numberIn(name: string, value: string, min: number, max: number, what: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(Number.isFinite(n) && n >= min && n <= max)) throw new Error(`The ${name} "${value}" must be ${what}.`);
  return n;
}

/** A TCP port, 1–65535; `name` says where it came from (--port, PORT). */
export function portNumber(name: string, value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new Error(`The ${name} "${value}" is not a port: give a whole number from 1 to 65535, e.g. 8787.`);
  return n;
}

/** The server URL of a client command (http or https), without a trailing slash. */
export function serverUrl(name: string, value: string): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw new Error(`The ${name} "${value}" is not an http(s) URL; e.g. http://127.0.0.1:8787.`);
  // fetch refuses such a URL (the import would retry it for half a minute as "no connection"), and
  // its refusal quotes the password; Tact's server takes its key, not these.
  if (u.username || u.password) {
    const shown = value.replace(/^(\w+:\/\/[^:@/]*)(:[^@/]*)?@/, (_m, who: string, pass?: string) => `${who}${pass ? ':***' : ''}@`);
    throw new Error(`The ${name} "${shown}" holds a user name and password: leave them out (the server takes the key given with --key or --write-key).`);
  }
  return value.replace(/\/+$/, '');
}

/** The URL the client commands use when none is given: TACT_URL, else this machine on PORT. */
export function defaultServerUrl(env: NodeJS.ProcessEnv): string {
  return env.TACT_URL || `http://127.0.0.1:${env.PORT || 8787}`;
}
