/**
 * Data as the rule evaluator (cel-js) reads it: it tells an object's type by its
 * `constructor`, so an object sent with a `constructor` key (`{ "constructor": "Ferrari" }` in an event's
 * properties or a decision's context) fails every rule reading through it ("Unsupported type: object"). Such objects become Maps,
 * which it reads whole, that key too; the rest is copied as it is.
 *
 * @example
 * celReadable({ team: { constructor: 'Ferrari' } }); // { team: Map { 'constructor' => 'Ferrari' } }
 */
export function celReadable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(celReadable);
  if (v === null || typeof v !== 'object') return v;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  const entries = Object.entries(v).map(([k, x]): [string, unknown] => [k, celReadable(x)]);
  return Object.hasOwn(v, 'constructor') ? new Map(entries) : Object.fromEntries(entries);
}

/** Whether a rule failed on an object it could not type: one with a `constructor` key ({@link celReadable}). */
export function isGuardedObject(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('Unsupported type: object');
}

/**
 * Runs a compiled rule on `vars`, read again through {@link celReadable} only when it failed on an
 * object it could not type — a copy of the data for every rule would cost every evaluation. Any
 * other failure is thrown as it is. Every rule Tact runs goes through here (evaluateRule, a
 * feature's `where`).
 *
 * @example
 * runReadable(rule, { context: { team: { constructor: 'Ferrari' } } });
 */
export function runReadable(rule: (vars: Record<string, unknown>) => unknown, vars: Record<string, unknown>): unknown {
  try {
    return rule(vars);
  } catch (err) {
    if (!isGuardedObject(err)) throw err;
    return rule(celReadable(vars) as Record<string, unknown>);
  }
}
