/** pino's levels, most verbose first; `silent` logs nothing. */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

/**
 * The log level TACT_LOG_LEVEL sets (`info` when unset or empty), in any case. Another value stops
 * the start naming the variable: pino's own error ("default level:verbose must be included in
 * custom levels") names neither.
 *
 * @example
 * logLevel({ TACT_LOG_LEVEL: 'WARN' }); // 'warn'
 */
export function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const v = env.TACT_LOG_LEVEL?.trim() ?? '';
  if (v === '') return 'info';
  const level = LEVELS.find((l) => l === v.toLowerCase());
  if (!level) throw new Error(`TACT_LOG_LEVEL must be one of ${LEVELS.slice(0, -1).join(', ')} or ${LEVELS.at(-1)}; it was "${v}".`);
  return level;
}
