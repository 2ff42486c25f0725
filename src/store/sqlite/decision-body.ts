import { inflateRawSync } from 'node:zlib';
import type { DecisionRecord } from '../../decide/decision.js';

/**
 * How the embedded store keeps a decision record's body. A record is 3–6 KB of JSON with the same
 * keys and stock sentences every time; stored as text it spills into an overflow page, and the
 * log writes 30+ KB to disk per decision (docs/benchmarks.md). Since migration decide-002 a
 * body is a BLOB: one format byte, then the JSON deflated (raw, level 1) against a preset
 * dictionary of the record's keys and phrases — about 0.8–1.2 KB, so it fits beside other rows
 * in one page. The writer thread compresses (see writer.ts), so the event loop does not pay for it.
 * Rows written before are TEXT and read as they are.
 *
 * A format byte, once released, is never reused and its dictionary never edited: a new dictionary
 * is a new format byte with its own entry in DICTIONARIES.
 */
export const BODY_FORMAT = 1;

/** Format 1's preset dictionary: the record's keys in their usual order and the explanation's stock phrases. */
const DICTIONARY_1 = [
  '"excluded":[{"stage":"eligibility","rule":"own eligibility rule","reason":"its own eligibility rule does not hold","actions":[',
  '{"stage":"applicability","rule":"own applicability rule","reason":"its own applicability rule does not hold","actions":[',
  '{"stage":"suitability","rule":"own suitability rule","reason":"its own suitability rule does not hold","actions":[',
  '{"stage":"consent","rule":"consent","reason":"no consent for the action\'s purpose","actions":[',
  '{"stage":"contact","rule":"',
  '{"stage":"territory","rule":"',
  '"facts":{"features.","context.","traits.","consent.","estimates.","flags.","anomalies.","account.',
  '"absentFacts":[],"operator":"Doing nothing (score 0) was worth at least as much as the best admitted action, ',
  ' Chosen by exploration with probability ; the best-scoring option was ',
  ' conversion rate (population, learning — not enough data yet, n=0)',
  ' click rate (segment, established, n=',
  ' × value  − contact cost  × levers ',
  ' of 100 candidate actions were excluded (eligibility , applicability , suitability , consent , contact ); most often: ',
  ' times.","customer":"You are seeing "" because you ',
  ', our standard content here.',
  '"excludedByStage":{"eligibility":,"applicability":,"suitability":,"consent":,"contact":}',
  '"handoff":{"territory":"","queue":""},"bandit":{"model":"","features":[',
  '"experiment":{"id":"","arm":"control"},',
  '{"id":"01","at":17,"profileKey":"01","subject":"user-","placement":"home","channel":"web","context":{"page":"home"},',
  '"policyVersion":1,"catalogVersion":1,"modelVersion":"beta-ladder@1","arm":"treatment","segment":null,"microSegment":null,"microSegmentModel":null,',
  '"choices":[{"rank":1,"kind":"none","score":0,"propensity":1,"why":"',
  '{"rank":2,"kind":"action","action":"offer-","variant":"a","score":0.,"propensity":0.9,"why":"\\"Offer "',
  ' scored  = 5% conversion rate (population, learning — not enough data yet, n=0) × value ',
  '"scored":[{"action":"offer-","score":1.,"p":0.05,"lo":0.002696,"hi":0.145869,"n":0,"rung":"population","learning":true,"value":,"cost":0.2,"levers":[["',
  '{"action":"offer-","score":0.',
].join('');

const DICTIONARIES: Record<number, Buffer> = { [BODY_FORMAT]: Buffer.from(DICTIONARY_1, 'utf8') };

/** The dictionary of a format byte (the writer thread compresses with it). @example bodyDictionary(BODY_FORMAT).length */
export function bodyDictionary(format: number): Buffer {
  const d = DICTIONARIES[format];
  if (!d) throw new Error(`Decision body format ${format} is not known to this version of Tact.`);
  return d;
}

/**
 * A stored body (TEXT from before decide-002, or a format-prefixed BLOB) as the record.
 *
 * @example
 * decodeBody(row.body).id
 */
export function decodeBody(body: string | Uint8Array): DecisionRecord {
  if (typeof body === 'string') return JSON.parse(body) as DecisionRecord;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const json = inflateRawSync(bytes.subarray(1), { dictionary: bodyDictionary(bytes[0]) });
  return JSON.parse(json.toString('utf8')) as DecisionRecord;
}
