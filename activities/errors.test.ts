import { describe, expect, it } from 'vitest';
import { classifySmtpError, isPermanent } from './errors.ts';

/** An error shaped as nodemailer throws them. */
const smtp = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

describe('SMTP errors', () => {
  it('retries the server passing trouble, even when nodemailer calls it an envelope error', () => {
    // Seen when the relay restarts mid-send: 7 of 20 messages ended failed as "invalid recipient".
    expect(isPermanent(classifySmtpError(smtp('Data command failed: 421 Server shutting down', { code: 'EENVELOPE', responseCode: 421, command: 'DATA' })))).toBe(false);
    expect(isPermanent(classifySmtpError(smtp('Can\'t send mail - all recipients were rejected: 452 Too many recipients', { code: 'EENVELOPE', responseCode: 452, command: 'RCPT TO' })))).toBe(false);
    expect(isPermanent(classifySmtpError(smtp('connect ECONNREFUSED 127.0.0.1:1025', { code: 'ECONNECTION' })))).toBe(false);
  });

  it('ends a message the server refuses for its recipient', () => {
    expect(classifySmtpError(smtp('Can\'t send mail - all recipients were rejected: 550 No such user', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }))).toMatchObject({ type: 'InvalidAddress', nonRetryable: true });
    expect(classifySmtpError(smtp('No recipients defined', { code: 'EENVELOPE' }))).toMatchObject({ type: 'InvalidAddress', nonRetryable: true });
  });
});
