import crypto from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): a secret is "whsec_" and the base64 of
 * 32 random bytes; a signature is `v1,` and the base64 HMAC-SHA256, keyed with those bytes, of
 * `${id}.${timestamp}.${body}`. docs/webhooks.md shows the receiver's side.
 */
export const SECRET_PREFIX = 'whsec_';

export function newSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString('base64');
}

/** What the API shows of a secret to tell it apart: its first characters, never enough to sign. */
export function secretHint(secret: string): string {
  return secret.slice(0, SECRET_PREFIX.length + 4);
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The headers of one delivery: one signature per secret in use, newest first, space-separated. */
export function signedHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}
