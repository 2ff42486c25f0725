import { accessSync, constants, statSync } from 'node:fs';

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

/**
 * An http(s) URL given as `name`, parsed; refused naming the flag, with `example`: a port over
 * 65535 (which the URL parser refuses as it refuses no URL at all) is named as such.
 *
 * @example
 * httpUrl('--webhook', 'https://h:99999/x', 'https://esp.example.com/hooks/tact'); // throws: '… is on port 99999, which is no port …'
 */
export function httpUrl(name: string, value: string, example: string): URL {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  const port = u ? undefined : /^https?:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(value.trim())?.[1];
  if (port !== undefined && Number(port) > 65535) throw new Error(`The ${name} "${value}" is on port ${port}, which is no port: give a whole number from 1 to 65535, e.g. ${example}.`);
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw new Error(`The ${name} "${value}" is not an http(s) URL; e.g. ${example}.`);
  return u;
}

/** The server URL of a client command (http or https), without a trailing slash. */
export function serverUrl(name: string, value: string): string {
  const u = httpUrl(name, value, 'http://127.0.0.1:8787');
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

/**
 * Refuses a server URL on a port fetch never connects to, by `name`: fetch answered only "bad
 * port", which `tact import` took for a server down and retried for half a minute. Not part of
 * `serverUrl`: the commands' tests use such a port (9) for a URL nothing answers at.
 *
 * @example
 * fetchablePort('--url', 'http://127.0.0.1:6000'); // throws 'The --url "http://127.0.0.1:6000" is on port 6000, …'
 */
export function fetchablePort(name: string, value: string): void {
  let port: number;
  try {
    const u = new URL(value);
    port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return; // (serverUrl says what is wrong with it)
  }
  if (FETCH_BAD_PORTS.includes(port)) throw new Error(`The ${name} "${value}" is on port ${port}, to which Node's fetch never connects (a port of other protocols; Fetch Standard, "bad port"): serve Tact on another port, e.g. 8787.`);
}

/**
 * The ports fetch refuses to connect to, answering only "bad port" (the Fetch Standard's "port
 * blocking" list, https://fetch.spec.whatwg.org/#port-blocking, as Node's fetch applies it:
 * options.test.ts tries each one). A server there cannot be reached by `tact import` or
 * `tact decide-batch`.
 */
export const FETCH_BAD_PORTS: readonly number[] = [
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
  139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723,
  2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
];

/**
 * A file a command is to read, given by `name` (an option or a variable): refused by that name
 * when it does not exist, is a folder, or this user may not read it — before anything is opened.
 *
 * @example
 * readableFile('--config', 'tact.config.yaml'); // 'tact.config.yaml'
 * readableFile('--config', '/etc'); // throws 'The --config "/etc" is a folder, not a file: name the file itself.'
 */
export function readableFile(name: string, path: string): string {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Error(`The ${name} "${path}" does not exist.`);
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`The ${name} "${path}" cannot be read: permission denied.`);
    throw err;
  }
  if (isDir) throw new Error(`The ${name} "${path}" is a folder, not a file: name the file itself.`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new Error(`The ${name} "${path}" cannot be read: permission denied.`);
  }
  return path;
}
