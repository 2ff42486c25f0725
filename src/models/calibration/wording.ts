/**
 * How a calibration refusal names what was asked: the API names its query fields and quotes values
 * in backticks (The `key` `email_opn` …); `tact calibration` names its flags and quotes values as
 * its other errors do (The --key "email_opn" …). The problem's `field` stays the API's either way.
 *
 * @example
 * `The ${w.field('key')} ${w.value(key)} is not a configured rate.`
 */
export interface Wording {
  /** A field by its API name (`key`), as the caller knows it. */
  field(name: string): string;
  /** A value the caller gave or can give (a key, a model's name), quoted. */
  value(v: string): string;
}

/** The API's wording: `key` `email_opn`. */
export const API_WORDING: Wording = { field: (n) => `\`${n}\``, value: (v) => `\`${v}\`` };

/** The command line's wording: --key "email_opn". */
export const CLI_WORDING: Wording = { field: (n) => `--${n}`, value: (v) => `"${v}"` };
