import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import type { SendMailOptions } from 'nodemailer';
import type { Channel } from '../journey/index.ts';
import { classifySmtpError, permanent } from './errors.ts';
import { deliver } from './deliver.ts';
import { noSendJournal } from './send-journal.ts';
import type { SendJournal } from './send-journal.ts';
import { contextFor, render } from './render.ts';
import { loadTemplate, pickLocale } from './templates.ts';
import type { TemplateSource } from './templates.ts';
import type { ActionOutcome, ActionRequest } from './types.ts';

/** What sending email needs: a (pooled) nodemailer transport, the sender and unsubscribe links. */
export interface EmailDeps {
  transport: { sendMail(options: SendMailOptions): Promise<{ messageId: string }> };
  from: string;
  /** A signed one-click unsubscribe link for the customer (api/consent.ts). */
  unsubscribeUrl(customerId: string, channel: Channel): string;
  /** The shop's home page (`{{shopUrl}}` in templates). */
  shopUrl: string;
  /** Sends the provider accepted, kept locally until the ledger has them (see send-journal.ts). */
  journal?: SendJournal;
  /**
   * Asks the mail provider whether it holds the message with this `X-Waymark-Key` for `to`
   * (its Message-ID, or null); see `inboxLookup` for the embedded inbox. Without it (a plain SMTP
   * relay, which cannot be asked), a send whose worker died between the relay's answer and the
   * local journal's note is sent again (the window ARCHITECTURE.md measures).
   */
  lookup?: (key: string, to: string) => Promise<string | null>;
}

/**
 * Looks a message up by its `X-Waymark-Key` header through the embedded SMTP inbox's HTTP API
 * (`GET /api/v1/messages?to=`): the provider lookup `npm start` configures for its own inbox.
 */
export function inboxLookup(apiUrl: string): (key: string, to: string) => Promise<string | null> {
  return async (key, to) => {
    const response = await fetch(`${apiUrl.replace(/\/$/, '')}/api/v1/messages?to=${encodeURIComponent(to)}`);
    if (!response.ok) throw new Error(`inbox lookup answered ${response.status}`);
    const body = (await response.json()) as { messages: Array<{ headers: Record<string, string> }> };
    const found = body.messages.find((m) => m.headers['x-waymark-key'] === key);
    return found === undefined ? null : (found.headers['message-id'] ?? key);
  };
}

/**
 * Sends an email step: the template in the customer's language, rendered with the customer, the
 * run's variables and a signed unsubscribe link, with `List-Unsubscribe` (one-click, RFC 8058)
 * headers. The Message-ID derives from the ledger key, so a resend in the at-least-once window
 * is recognisable as the same message.
 */
export function sendEmailAction(db: Db, deps: EmailDeps, templates: TemplateSource, request: ActionRequest<'email'>): Promise<ActionOutcome> {
  const { action, customerId } = request;
  return deliver(db, deps.journal ?? noSendJournal, request, {
    channel: 'email',
    address: (customer) => customer.email,
    async prepare(customer, now) {
      const template = await loadTemplate(templates, action.config.templateId, 'email');
      const { locale, message } = pickLocale(template, customer.locale, action.fallbackLocale);
      const unsubscribeUrl = deps.unsubscribeUrl(customerId, 'email');
      const context = contextFor(customer, request, now, deps.shopUrl, unsubscribeUrl);
      if (!message.subject || !message.html || !message.text) {
        throw permanent('TemplateError', `template ${template.id} (${locale}) lacks a subject, html or text`);
      }
      return {
        subject: render(message.subject, context, 'text').replace(/\s+/g, ' ').trim(),
        html: render(message.html, context, 'html'),
        text: render(message.text, context, 'text'),
        unsubscribeUrl,
        locale,
      };
    },
    async send(message, to) {
      const digest = createHash('sha256').update(action.idempotencyKey).digest('hex').slice(0, 32);
      try {
        const info = await deps.transport.sendMail({
          from: deps.from,
          to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          messageId: `<${digest}@waymark>`,
          headers: {
            'List-Unsubscribe': `<${message.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'Content-Language': message.locale,
            'X-Waymark-Key': action.idempotencyKey,
          },
        });
        return { providerId: info.messageId };
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    ...(deps.lookup ? { lookup: ({ key, to }: { key: string; to: string }) => (deps.lookup as NonNullable<EmailDeps['lookup']>)(key, to) } : {}),
  });
}
