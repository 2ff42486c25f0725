/**
 * The worked example's run (worked-example.ts) and the off-policy evaluation requests it sends:
 * shared with its test, which checks that docs/measure.md shows the bodies as sent.
 */
import type { PolicyCandidate } from '../policy-eval/candidate.js';

const DAY = 86_400_000;

/** The run: subjects decided a minute apart from 2026-11-01, the first clock time of the simulated Tact. */
export const EXAMPLE_RUN = { start: Date.UTC(2026, 10, 1), subjects: 6000, step: 60_000 } as const;

/** The candidates the example evaluates: policy 2, socks first with more exploration, and a greedy one (refused). */
const CANDIDATES: PolicyCandidate[] = [{ policy: 2 }, { levers: { 'socks push': 10 }, exploration: 0.3 }, { exploration: 0 }];

/** A body of `POST /v1/evaluate-policy` as the example sends it. */
export interface EvaluateRequest {
  placement: string;
  candidate: PolicyCandidate;
  from: string;
  to: string;
  seed: number;
}

/**
 * The window the example's readouts and evaluations read: from the first decision to a day after
 * the last (the outcomes arrive within minutes of it).
 *
 * @example
 * exampleWindow(); // { from: '2026-11-01T00:00:00.000Z', to: '2026-11-06T04:00:00.000Z' }
 */
export function exampleWindow(): { from: string; to: string } {
  const { start, subjects, step } = EXAMPLE_RUN;
  return { from: new Date(start).toISOString(), to: new Date(start + subjects * step + DAY).toISOString() };
}

/**
 * The bodies the example sends to `POST /v1/evaluate-policy`, one per candidate.
 *
 * @example
 * evaluateRequests(exampleWindow())[0]; // { placement: 'home', candidate: { policy: 2 }, from: '2026-11-01T00:00:00.000Z', to: '…', seed: 1 }
 */
export function evaluateRequests(window: { from: string; to: string }): EvaluateRequest[] {
  return CANDIDATES.map((candidate) => ({ placement: 'home', candidate, from: window.from, to: window.to, seed: 1 }));
}

/**
 * The line the example prints before an evaluation: the request, its body exactly as sent (a
 * reader can copy it).
 *
 * @example
 * requestLine(evaluateRequests(exampleWindow())[0]); // '$ POST /v1/evaluate-policy {"placement":"home","candidate":{"policy":2},…}'
 */
export const requestLine = (body: EvaluateRequest): string => `$ POST /v1/evaluate-policy ${JSON.stringify(body)}`;
