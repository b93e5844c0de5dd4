import express from 'express';
import cors from 'cors';
import compression from 'compression';
import helmet from 'helmet';
import { ErrorCode } from './errors';
import { logger } from '../logger';

/** Responses smaller than this go out as they are: compressing them costs more than it saves. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/** Request headers a browser client may send; what Apollo's CSRF check and our auth read. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id', 'traceparent', 'tracestate'];
/** Response headers a browser client may read. */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy', 'traceparent', 'content-disposition'];

/**
 * CORS for the listed origins only. Tokens travel in the Authorization header, never in cookies, so
 * credentials stay off. A request from another origin gets no CORS headers, and its browser keeps the
 * answer from the page.
 */
export function corsFor(origins: string[]): express.RequestHandler[] {
  const allowed = new Set(origins);
  const handlers: express.RequestHandler[] = [];
  if (allowed.size) {
    handlers.push(
      cors({
        origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ALLOWED_HEADERS,
        exposedHeaders: EXPOSED_HEADERS,
        credentials: false,
        maxAge: 600,
        optionsSuccessStatus: 204,
      }),
    );
  }
  // Any preflight not answered above (CORS off, or an origin not listed): 204 without CORS headers,
  // rather than Apollo's 400; the browser then refuses the real request.
  handlers.push((req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    res.vary('origin').setHeader('allow', 'GET, POST, OPTIONS');
    res.status(204).end();
  });
  return handlers;
}

/** gzip and brotli, chosen by Accept-Encoding, for bodies over the threshold. */
export function compress(): express.RequestHandler {
  return compression({ threshold: COMPRESSION_THRESHOLD_BYTES });
}

/**
 * helmet's defaults (CSP, nosniff, frame-ancestors, HSTS, referrer policy, COOP, CORP same-origin, which
 * browsers apply to no-cors loads only, so CORS callers still read answers), without
 * upgrade-insecure-requests: it would send the explorer's scripts to https:// on a plain HTTP
 * deployment (localhost, a private network).
 */
export function securityHeaders(): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, connectSrc: ["'self'"] } },
  });
}

/** Unknown routes answer in the API's error shape, never with Express's HTML page. */
export const notFound: express.RequestHandler = (req, res) => {
  res.status(404).json({ errors: [{ message: `Not found: ${req.method} ${req.path.slice(0, 200)}`, extensions: { code: ErrorCode.NOT_FOUND } }] });
};

/** The last error handler: a JSON 500 with the request id, the error in the log only. */
export const lastResort: express.ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  if (status === 500) logger.error({ err, requestId: res.locals.requestId, path: req.path }, 'unhandled HTTP error');
  res.status(status).json({
    errors: [
      status === 500
        ? { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: res.locals.requestId } }
        : { message: String(err?.expose ? err.message : 'Bad request'), extensions: { code: 'BAD_REQUEST' } },
    ],
  });
};
