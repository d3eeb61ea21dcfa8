import pino from 'pino';

/** Structured JSON logs. LOG_LEVEL picks the level; tests default to silent. */
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
// A bad LOG_LEVEL must not throw here, at import: config.ts refuses it with one clear line.
const fromEnv = process.env.LOG_LEVEL?.trim();
export const logger = pino({
  level: fromEnv && LEVELS.includes(fromEnv) ? fromEnv : process.env.VITEST ? 'silent' : 'info',
  base: { service: 'switchboard' },
  redact: { paths: ['req.headers.authorization', 'secret', 'password', 'token'], censor: '***' },
});

export type Logger = pino.Logger;
