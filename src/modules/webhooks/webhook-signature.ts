import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * The `webhook-signature` header of a delivery (Standard Webhooks): `v1,` + base64 of HMAC-SHA256 over
 * `<id>.<timestamp>.<body>`, keyed with the base64-decoded part of the secret after `whsec_`. Written
 * with node's crypto rather than the `standardwebhooks` package, which is the tests' reference verifier:
 * signing with the verifier's own code would prove nothing.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}
