import pino from 'pino';

/** Structured JSON logs. LOG_LEVEL picks the level; tests default to silent. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: 'switchboard' },
  redact: { paths: ['req.headers.authorization', 'secret', 'password', 'token'], censor: '***' },
});

export type Logger = pino.Logger;
