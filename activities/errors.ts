import { ApplicationFailure } from '@temporalio/activity';

/**
 * Error classification of the activities. A permanent failure (invalid address or number,
 * unsubscribed, no consent, a template that cannot render) is thrown as a non-retryable
 * `ApplicationFailure`: the workflow takes the node's failure path. Everything else (SMTP down,
 * Twilio 429/5xx, a database hiccup) is thrown as is and Temporal retries it with backoff.
 */

/** Why a send can never succeed; the `type` of the non-retryable failure. */
export type PermanentReason =
  | 'InvalidAddress'
  | 'InvalidNumber'
  | 'Unsubscribed'
  | 'NoConsent'
  | 'MissingContact'
  | 'TemplateError'
  | 'InvalidConfig'
  | 'CustomerNotFound'
  | 'WebhookRejected'
  /** The provider's daily limit for this number (Aliyun: per number, template and sign name). */
  | 'DailyLimit'
  /** Transient errors until the retries ran out (the send's deadline). */
  | 'GaveUp'
  /** A shared frequency cap had no room and the step says `onCap: skip`. */
  | 'Capped';

/** Every permanent reason, so the workflow side can recognise them by `type`. */
export const permanentReasons: readonly PermanentReason[] = [
  'InvalidAddress',
  'InvalidNumber',
  'Unsubscribed',
  'NoConsent',
  'MissingContact',
  'TemplateError',
  'InvalidConfig',
  'CustomerNotFound',
  'WebhookRejected',
  'DailyLimit',
  'GaveUp',
  'Capped',
];

/** A non-retryable failure: the node's failure path follows, with `message` as the error. */
export function permanent(reason: PermanentReason, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, reason);
}

/** True for errors already classified as permanent (so they pass through unchanged). */
export function isPermanent(error: unknown): error is ApplicationFailure {
  return error instanceof ApplicationFailure && error.nonRetryable === true;
}

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined;
}

/**
 * Classifies a nodemailer error. SMTP 5xx replies about the recipient (550 mailbox unavailable,
 * 553 bad address) are permanent; 4xx replies and connection errors are transient.
 */
export function classifySmtpError(error: unknown): Error {
  if (isPermanent(error)) return error;
  const code = field(error, 'responseCode');
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number' && code >= 500 && field(error, 'command') === 'RCPT TO') {
    return permanent('InvalidAddress', `the mail server refused the recipient: ${message}`);
  }
  // nodemailer also names a DATA or RCPT reply EENVELOPE: a 4xx there (421 shutting down, 451,
  // 452) is the server's passing trouble, not the address.
  const transientReply = typeof code === 'number' && code >= 400 && code < 500;
  if (field(error, 'code') === 'EENVELOPE' && !transientReply) return permanent('InvalidAddress', `invalid recipient: ${message}`);
  return error instanceof Error ? error : new Error(message);
}

/** Twilio error codes that no retry can fix. */
const twilioPermanent = new Map<number, PermanentReason>([
  [21211, 'InvalidNumber'], // invalid 'To' number
  [21214, 'InvalidNumber'], // 'To' number cannot be reached
  [21217, 'InvalidNumber'],
  [21407, 'InvalidNumber'], // unsupported region
  [21408, 'InvalidNumber'], // permission to send to region not enabled
  [21612, 'InvalidNumber'], // 'To' not currently reachable via SMS
  [21614, 'InvalidNumber'], // not a mobile number
  [21610, 'Unsubscribed'], // the recipient replied STOP
]);

/**
 * Classifies a Twilio REST error: 429 and 5xx are transient (retried with backoff), known
 * recipient codes and other 4xx are permanent.
 */
export function classifyTwilioError(error: unknown): Error {
  if (isPermanent(error)) return error;
  const status = field(error, 'status');
  const code = field(error, 'code');
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number') {
    const reason = twilioPermanent.get(code);
    if (reason !== undefined) return permanent(reason, `Twilio error ${code}: ${message}`);
  }
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429 && status !== 408) {
    return permanent('InvalidConfig', `Twilio refused the message (HTTP ${status}${typeof code === 'number' ? `, error ${code}` : ''}): ${message}`);
  }
  return error instanceof Error ? error : new Error(message);
}

/** Classifies a webhook response: 5xx, 429 and network errors retry; other 4xx are permanent. */
export function classifyHttpStatus(status: number, url: string, body: string): Error {
  const message = `webhook ${url} answered HTTP ${status}: ${body.slice(0, 200)}`;
  if (status >= 500 || status === 429 || status === 408) return new Error(message);
  return permanent('WebhookRejected', message);
}
