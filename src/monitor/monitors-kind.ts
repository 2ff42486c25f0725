import type { DocumentKind } from '../config/document-kind.js';
import { Checker } from '../decide/check.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { DEFAULT_MONITOR_CONFIG, type MonitorConfig, type MonitorMetric } from '../measure/monitors/monitor.js';
import { parseDuration } from '../profiles/features/definition.js';
import { DEFAULT_MAX_ATTEMPTS } from './backoff.js';
import { FETCH_BAD_PORTS } from './webhook-post.js';

/** The operator's monitors document (config key `monitors`). Every field is optional. */
export interface MonitorsDocument {
  enabled?: boolean;
  /** How often the server folds new events and checks every key (default "10s"). */
  interval?: string;
  bucket?: string;
  currentWindow?: string;
  baselineWindow?: string;
  cooldown?: string;
  alpha?: number;
  clearAlpha?: number;
  minRelativeChange?: number;
  minTrials?: number;
  minBaselineTrials?: number;
  minEvents?: number;
  minBaselineVolume?: number;
  minExpectedForCalibration?: number;
  metrics?: MonitorMetric[];
  /** Outcome types counted as negative; default: every type the policy's value function rewards below zero, and "dismissal". */
  negatives?: string[];
  /**
   * Where alerts are posted. The signing key is `secret` (write-only), or the environment variable
   * `secretEnv` names (read at each send), never both.
   */
  webhook?: { url: string; secret?: string; secretEnv?: string; maxAttempts?: number; backoff?: string; timeout?: string };
  description?: string;
}

/** The compiled monitors settings. */
export interface MonitorsSettings {
  enabled: boolean;
  intervalMs: number;
  config: MonitorConfig;
  negatives?: ReadonlySet<string>;
  webhook?: { url: string; secret?: string; secretEnv?: string; maxAttempts: number; backoffMs: number; timeoutMs: number };
}

const METRICS: MonitorMetric[] = ['volume', 'response-rate', 'negative-rate', 'calibration'];
const KEYS = ['enabled', 'interval', 'bucket', 'currentWindow', 'baselineWindow', 'cooldown', 'alpha', 'clearAlpha', 'minRelativeChange', 'minTrials', 'minBaselineTrials', 'minEvents', 'minBaselineVolume', 'minExpectedForCalibration', 'metrics', 'negatives', 'webhook', 'description'];

function checkMonitors(body: unknown): FieldProblem[] {
  const c = new Checker();
  if (!c.object(body, 'monitors')) return c.problems;
  c.known(body, '', KEYS);
  c.boolean(body.enabled, 'enabled');
  for (const k of ['interval', 'bucket', 'currentWindow', 'baselineWindow', 'cooldown']) c.duration(body[k], k);
  checkLevels(c, body.alpha, body.clearAlpha);
  for (const k of ['minTrials', 'minBaselineTrials', 'minEvents', 'minBaselineVolume', 'minExpectedForCalibration']) c.number(body[k], k, { min: 0, integer: true });
  if (c.list(body.metrics, 'metrics')) {
    body.metrics.forEach((m, i) => c.oneOf(m, `metrics[${i}]`, METRICS));
    // An empty list watches nothing: no alert could ever fire (`enabled: false` is how to stop).
    if (!body.metrics.length) c.add('metrics', `The \`metrics\` must name at least one metric (${METRICS.join(', ')}): an empty list watches nothing, so no alert would ever fire. Leave it out for all four, or set \`enabled: false\` to stop the monitors.`);
  }
  const watched: readonly unknown[] = Array.isArray(body.metrics) ? body.metrics : DEFAULT_MONITOR_CONFIG.metrics;
  if (c.number(body.minRelativeChange, 'minRelativeChange', { min: 0 })) checkRelativeChange(c, body.minRelativeChange, watched);
  c.strings(body.negatives, 'negatives');
  const bucket = parseDuration(body.bucket) ?? DEFAULT_MONITOR_CONFIG.bucketMs;
  const current = parseDuration(body.currentWindow) ?? DEFAULT_MONITOR_CONFIG.currentWindowMs;
  if (current < bucket) c.add('currentWindow', 'The `currentWindow` must be at least one `bucket` long.');
  checkBaseline(c, body.baselineWindow, body.currentWindow, current, watched);
  if (body.webhook !== undefined && c.object(body.webhook, 'webhook')) {
    const w = body.webhook;
    c.known(w, 'webhook', ['url', 'secret', 'secretEnv', 'maxAttempts', 'backoff', 'timeout']);
    checkWebhookUrl(c, w.url);
    c.string(w.secret, 'webhook.secret', true);
    checkSecretEnv(c, w.secretEnv, w.secret !== undefined);
    c.number(w.maxAttempts, 'webhook.maxAttempts', { min: 1, max: 50, integer: true });
    c.duration(w.backoff, 'webhook.backoff');
    c.duration(w.timeout, 'webhook.timeout');
  }
  return c.problems;
}

/**
 * A baseline at least one current window long while volume is watched, defaults counted: volume is
 * judged only once a key has a whole window of history before the current one, so a shorter
 * baseline never judges it (a tenfold surge passed unseen).
 */
function checkBaseline(c: Checker, baselineWindow: unknown, currentWindow: unknown, current: number, metrics: readonly unknown[]): void {
  const baseline = parseDuration(baselineWindow) ?? DEFAULT_MONITOR_CONFIG.baselineWindowMs;
  if (baseline >= current || !metrics.includes('volume')) return;
  const said = (v: unknown, dflt: string) => (typeof v === 'string' ? v.trim() : `${dflt}, the default`);
  c.add('baselineWindow', `The \`baselineWindow\` (${said(baselineWindow, '7d')}) must be at least the \`currentWindow\` (${said(currentWindow, '1h')}): volume is judged against whole current windows of history, so with less it would never alert. Lengthen the baseline, or leave \`volume\` out of \`metrics\`.`);
}

/**
 * A material drop is one to ×(1 − minRelativeChange) of the expected center: above 1 that is below
 * zero, so no metric that alerts low (all but the negative-outcome rate) would — not even a volume
 * fallen to nothing. Refused rather than silently watching for rises only.
 */
function checkRelativeChange(c: Checker, change: unknown, metrics: readonly unknown[]): void {
  if (typeof change !== 'number' || change <= 1 || !metrics.some((m) => m !== 'negative-rate')) return;
  c.add('minRelativeChange', `The \`minRelativeChange\` (${change}) must be at most 1 while \`volume\`, \`response-rate\` or \`calibration\` is watched: a drop counts once it reaches ×(1 − minRelativeChange) of the expected value, which above 1 is below zero, so no drop — not even volume falling to nothing — would ever alert.`);
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * An http(s) URL that fetch will post to: it parses, and its port is not one fetch refuses
 * ("bad port") — there every attempt would fail and no alert would ever arrive.
 */
function checkWebhookUrl(c: Checker, url: unknown): void {
  const parsed = typeof url === 'string' && /^https?:\/\/\S+$/.test(url) ? parseUrl(url) : null;
  if (!parsed) return c.add('webhook.url', 'The `webhook.url` must be an http:// or https:// URL.');
  const port = Number(parsed.port);
  if (FETCH_BAD_PORTS.includes(port)) c.add('webhook.url', `The \`webhook.url\` names port ${port}, which fetch refuses to connect to (a "bad port" of the Fetch standard): every delivery would fail. Use another port.`);
}

/**
 * A variable name (letters, digits and `_`, not starting with a digit) that is set, not empty, in
 * this server's environment — checked when the document is written, so a mistyped name is a 400
 * rather than alerts that cannot be signed — and no `secret` beside it (which would one sign with?).
 * The variable is read again at each send: a restart with a new value rotates the key.
 */
function checkSecretEnv(c: Checker, name: unknown, withSecret: boolean, env: NodeJS.ProcessEnv = process.env): void {
  if (name === undefined) return;
  const field = 'webhook.secretEnv';
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return c.add(field, `The \`${field}\` must be the name of an environment variable (letters, digits and \`_\`, not starting with a digit).`);
  if (withSecret) return c.add(field, `The webhook is signed with either \`webhook.secret\` or \`webhook.secretEnv\`, not both: leave one out.`);
  if (!env[name]) c.add(field, `The \`monitors.webhook.secretEnv\` names \`${name}\`, which is not set in the server's environment${env[name] === '' ? ' (it is empty)' : ''}: set it (and restart) before naming it, or send \`webhook.secret\` instead.`);
}

/**
 * Significance levels strictly between 0 and 1 (alpha 0 never fires, clearAlpha 1 never resolves),
 * and `clearAlpha` at least `alpha`, defaults counted: below it an alert would resolve at the next
 * step while the change still holds, and fire again after the cool-down.
 */
function checkLevels(c: Checker, alpha: unknown, clearAlpha: unknown): void {
  const level = (v: unknown, k: string) => {
    if (v === undefined || (typeof v === 'number' && v > 0 && v < 1)) return true;
    c.add(k, `The \`${k}\` must be a number above 0 and below 1.`);
    return false;
  };
  const ok = [level(alpha, 'alpha'), level(clearAlpha, 'clearAlpha')];
  if (ok.includes(false)) return;
  const a = (alpha as number | undefined) ?? DEFAULT_MONITOR_CONFIG.alpha;
  const clear = (clearAlpha as number | undefined) ?? DEFAULT_MONITOR_CONFIG.clearAlpha;
  if (clear < a) c.add('clearAlpha', `The \`clearAlpha\` (${clear}${clearAlpha === undefined ? ', the default' : ''}) must be at least \`alpha\` (${a}): an alert resolves when its p-value rises above \`clearAlpha\`.`);
}

function compileMonitors(b: MonitorsDocument): MonitorsSettings {
  const d = DEFAULT_MONITOR_CONFIG;
  const ms = (v: string | undefined, dflt: number) => parseDuration(v) ?? dflt;
  const config: MonitorConfig = {
    bucketMs: ms(b.bucket, d.bucketMs),
    currentWindowMs: ms(b.currentWindow, d.currentWindowMs),
    baselineWindowMs: ms(b.baselineWindow, d.baselineWindowMs),
    cooldownMs: ms(b.cooldown, d.cooldownMs),
    alpha: b.alpha ?? d.alpha,
    checkIntervalMs: ms(b.interval, d.checkIntervalMs),
    clearAlpha: b.clearAlpha ?? d.clearAlpha,
    minRelativeChange: b.minRelativeChange ?? d.minRelativeChange,
    minTrials: b.minTrials ?? d.minTrials,
    minBaselineTrials: b.minBaselineTrials ?? d.minBaselineTrials,
    minEvents: b.minEvents ?? d.minEvents,
    minBaselineVolume: b.minBaselineVolume ?? d.minBaselineVolume,
    minExpectedForCalibration: b.minExpectedForCalibration ?? d.minExpectedForCalibration,
    metrics: b.metrics ?? d.metrics,
  };
  const w = b.webhook;
  return {
    enabled: b.enabled ?? true,
    intervalMs: ms(b.interval, 10_000),
    config,
    negatives: b.negatives ? new Set(b.negatives) : undefined,
    webhook: w ? { url: w.url, secret: w.secret, secretEnv: w.secretEnv, maxAttempts: w.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, backoffMs: ms(w.backoff, 1_000), timeoutMs: ms(w.timeout, 5_000) } : undefined,
  };
}

/**
 * The monitors in force: what they watch, their bands and evidence rules, and the alert webhook.
 *
 * @example
 * tact.settings.get(monitorsKind).config.currentWindowMs; // 3_600_000
 */
export const monitorsKind: DocumentKind<MonitorsDocument, MonitorsSettings> = {
  kind: 'monitors',
  configKey: 'monitors',
  description: 'Streaming monitors per action, placement and segment (volume, response rate, negative-outcome rate, calibration): windows, evidence thresholds, and the alert webhook.',
  empty: {},
  // The receivers' HMAC key: whoever reads it can sign alerts of their own (docs/monitors.md).
  secrets: ['webhook.secret'],
  check: checkMonitors,
  compile: compileMonitors,
};
