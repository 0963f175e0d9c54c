import { hasConsent, refusesPersonalisation } from '../../journey/consent.ts';
import { z } from 'zod';
import { getCustomer, setConsent } from '../../store/customers.ts';
import { verifyConsentToken } from '../consent.ts';
import type { ConsentToken } from '../consent.ts';
import { optIn, optOut } from '../optOut.ts';
import { ProblemError } from '../problem.ts';
import { defineRoute } from '../route.ts';

/**
 * The public consent pages behind signed links. No API key: the token is the authority, and
 * it only ever lets its holder opt *out* of, or manage, one customer's messages.
 */

const TokenQuery = z.strictObject({ token: z.string().min(10).max(1000) });

/** Checkbox form of the preferences page: a box left unticked is not sent. */
const PreferencesForm = z.strictObject({ email: z.literal('on').optional(), sms: z.literal('on').optional(), personalisation: z.literal('on').optional() }).default({});

function verify(secret: string, token: string, kind: ConsentToken['scope']['kind']): ConsentToken {
  const verified = verifyConsentToken(secret, token);
  if (verified === null || verified.scope.kind !== kind) {
    throw new ProblemError(403, 'invalid-link', 'This link is not valid', 'the link was altered or is not a Waymark link', [
      { path: 'query.token', message: 'signature does not match' },
    ]);
  }
  return verified;
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.5rem 1rem}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

const html = (status: number, title: string, body: string) => ({
  status,
  body: page(title, body),
  contentType: 'text/html; charset=utf-8',
  headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
});

const channelName = { email: 'emails', sms: 'text messages' } as const;
const htmlResponse = (description: string) => ({ description, contentType: 'text/html' });

export const consentRoutes = [
  defineRoute({
    operationId: 'unsubscribePage',
    method: 'get',
    path: '/consent/unsubscribe',
    tag: 'Consent',
    summary: 'Unsubscribe confirmation page (signed link)',
    description: 'Shows a button; opening the link changes nothing, because mail scanners open links too.',
    access: 'public',
    query: TokenQuery,
    responses: { 200: htmlResponse('The confirmation page.') },
    async handler({ query, deps }) {
      const token = verify(deps.config.secret, query.token, 'unsubscribe');
      const channel = token.scope.kind === 'unsubscribe' ? token.scope.channel : 'email';
      return html(
        200,
        'Unsubscribe',
        `<p>Stop receiving ${channelName[channel]} from us?</p>
<form method="post" action="?token=${encodeURIComponent(query.token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button>Unsubscribe</button></form>`,
      );
    },
  }),
  defineRoute({
    operationId: 'unsubscribe',
    method: 'post',
    path: '/consent/unsubscribe',
    tag: 'Consent',
    summary: 'Unsubscribe (one-click, RFC 8058)',
    description:
      'The target of `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The body ' +
      '(`List-Unsubscribe=One-Click`, form-encoded or multipart) is not needed: the signed token decides.',
    access: 'public',
    query: TokenQuery,
    bodyType: 'stream',
    streamTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
    responses: { 200: htmlResponse('Unsubscribed (also when the customer no longer exists).') },
    async handler({ query, deps, now }) {
      const token = verify(deps.config.secret, query.token, 'unsubscribe');
      const channel = token.scope.kind === 'unsubscribe' ? token.scope.channel : 'email';
      // An erased customer gets the same answer: the link must not reveal who exists.
      await optOut(deps, token.customerId, channel, 'unsubscribe', now);
      return html(200, 'You are unsubscribed', `<p>You will not receive ${channelName[channel]} from us any more.</p>`);
    },
  }),
  defineRoute({
    operationId: 'preferencesPage',
    method: 'get',
    path: '/consent/preferences',
    tag: 'Consent',
    summary: 'Message preferences page (signed link)',
    access: 'public',
    query: TokenQuery,
    responses: { 200: htmlResponse('The preferences form.') },
    async handler({ query, deps }) {
      const token = verify(deps.config.secret, query.token, 'preferences');
      const customer = await getCustomer(deps.db, token.customerId);
      const box = (name: 'email' | 'sms', label: string) =>
        `<p><label><input type="checkbox" name="${name}"${customer !== null && hasConsent(customer, name) ? ' checked' : ''}> ${label}</label></p>`;
      // PIPL Art. 24: refusing personalised marketing is one untick away; ticked unless refused.
      const personalised = `<p><label><input type="checkbox" name="personalisation"${customer !== null && refusesPersonalisation(customer) ? '' : ' checked'}> Offers chosen for me from my purchases (personalised marketing)</label></p>`;
      return html(
        200,
        'Your message preferences',
        `<form method="post" action="?token=${encodeURIComponent(query.token)}">${box('email', 'Emails')}${box('sms', 'Text messages')}${personalised}<button>Save</button></form>`,
      );
    },
  }),
  defineRoute({
    operationId: 'savePreferences',
    method: 'post',
    path: '/consent/preferences',
    tag: 'Consent',
    summary: 'Save message preferences (signed link)',
    description: 'A form post from the preferences page; a channel left unticked is opted out, personalised marketing left unticked is refused (PIPL Art. 24).',
    access: 'public',
    query: TokenQuery,
    bodyType: 'form',
    body: PreferencesForm,
    responses: { 200: htmlResponse('Saved.') },
    async handler({ query, body, deps, now }) {
      const token = verify(deps.config.secret, query.token, 'preferences');
      for (const channel of ['email', 'sms'] as const) {
        const wanted = body[channel] === 'on';
        const customer = await getCustomer(deps.db, token.customerId);
        if (customer === null || hasConsent(customer, channel) === wanted) continue;
        if (wanted) await optIn(deps, token.customerId, channel, ['unsubscribe'], now, 'form');
        else await optOut(deps, token.customerId, channel, 'unsubscribe', now, 'form');
      }
      // Personalisation changes only when the box differs from the stored choice: an untouched
      // box creates no record (no record already means not refused).
      const refuses = body.personalisation !== 'on';
      const customer = await getCustomer(deps.db, token.customerId);
      if (customer !== null && refusesPersonalisation(customer) !== refuses) {
        await setConsent(deps.db, token.customerId, { personalisation: { granted: !refuses, at: now.toISOString(), source: 'form' } }, now);
      }
      return html(200, 'Preferences saved', '<p>Thank you. Your choices apply from now on.</p>');
    },
  }),
];
