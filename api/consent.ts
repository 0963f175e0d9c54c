import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Channel } from '../journey/customer.ts';

/**
 * Signed consent links: unsubscribe and preference links carry an HMAC-SHA256 token instead of
 * requiring a login. A token names the customer and what it allows; it does not expire,
 * because an unsubscribe link in an old email must keep working (RFC 8058 and mailbox
 * providers expect that).
 */

/** What a token allows: unsubscribing from one channel, or editing all preferences. */
export type ConsentScope = { kind: 'unsubscribe'; channel: Channel } | { kind: 'preferences' };

export interface ConsentToken {
  customerId: string;
  scope: ConsentScope;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`waymark-consent.v1.${payload}`).digest();
}

function sign(secret: string, token: ConsentToken): string {
  const scope = token.scope.kind === 'unsubscribe' ? `u:${token.scope.channel}` : 'p';
  const payload = Buffer.from(JSON.stringify([token.customerId, scope])).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** Token of an unsubscribe link for one channel. */
export function signUnsubscribeToken(secret: string, customerId: string, channel: Channel): string {
  return sign(secret, { customerId, scope: { kind: 'unsubscribe', channel } });
}

/** Token of a preferences link (every channel). */
export function signPreferencesToken(secret: string, customerId: string): string {
  return sign(secret, { customerId, scope: { kind: 'preferences' } });
}

/** The token's content when its signature is valid, else null. Constant-time comparison. */
export function verifyConsentToken(secret: string, token: string): ConsentToken | null {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) return null;
  const expected = mac(secret, payload);
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(decoded) || decoded.length !== 2) return null;
    const [customerId, scope] = decoded as unknown[];
    if (typeof customerId !== 'string') return null;
    if (scope === 'p') return { customerId, scope: { kind: 'preferences' } };
    if (scope === 'u:email' || scope === 'u:sms') return { customerId, scope: { kind: 'unsubscribe', channel: scope.slice(2) as Channel } };
  } catch {
    // malformed payload: fall through
  }
  return null;
}

/** The content of a valid unsubscribe token, else null (a preferences token is not one). */
export function verifyUnsubscribeToken(secret: string, token: string): { customerId: string; channel: Channel } | null {
  const verified = verifyConsentToken(secret, token);
  return verified?.scope.kind === 'unsubscribe' ? { customerId: verified.customerId, channel: verified.scope.channel } : null;
}

/**
 * Links and headers for one message: what the email activity puts in the footer and in
 * `List-Unsubscribe` / `List-Unsubscribe-Post` (RFC 8058 one-click).
 *
 * @example consentLinks({ publicUrl, secret }).headers('c-42')
 */
export function consentLinks(config: { publicUrl: string; secret: string }) {
  const base = `${config.publicUrl.replace(/\/$/, '')}/v1/consent`;
  const unsubscribeUrl = (customerId: string, channel: Channel) =>
    `${base}/unsubscribe?token=${signUnsubscribeToken(config.secret, customerId, channel)}`;
  const preferencesUrl = (customerId: string) => `${base}/preferences?token=${signPreferencesToken(config.secret, customerId)}`;
  return {
    unsubscribeUrl,
    preferencesUrl,
    /** Email headers for one-click unsubscribe. */
    headers: (customerId: string): Record<string, string> => ({
      'List-Unsubscribe': `<${unsubscribeUrl(customerId, 'email')}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    }),
  };
}
