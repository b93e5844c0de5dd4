import pino from 'pino';

/**
 * Structured JSON logs. Tokens never reach them: the Authorization header is redacted wherever a
 * request is logged, and token values are never passed to the logger.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL && ['error', 'warn', 'info', 'debug'].includes(process.env.LOG_LEVEL) ? process.env.LOG_LEVEL : 'info',
  base: { service: 'control-mapping-hub' },
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
});
