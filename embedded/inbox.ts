import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the local SMTP inbox received, as its HTTP API returns it. */
export interface InboxMessage {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/**
 * The embedded mail catcher: a real SMTP server (nodemailer's `smtp-server`) on 127.0.0.1 that
 * keeps every message it accepts, and an HTTP API (and a page for people) to read them:
 *
 * - `GET /api/v1/messages?to=addr` → `{ total, messages: InboxMessage[] }` (newest first)
 * - `GET /api/v1/messages/:id` → one message
 * - `DELETE /api/v1/messages` → empties the inbox
 * - `GET /` → an HTML outbox page
 *
 * With `dataDir`, messages persist in a JSON-lines file so restarts keep them.
 */
export async function startInbox(options: {
  smtpPort: number;
  httpPort: number;
  dataDir?: string;
}): Promise<{ smtpUrl: string; apiUrl: string; stop(): Promise<void> }> {
  const { smtpPort, httpPort, dataDir } = options;
  const file = dataDir ? join(dataDir, 'inbox.jsonl') : undefined;
  const messages: InboxMessage[] = [];
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        messages.push(JSON.parse(line) as InboxMessage);
      } catch {
        // a line cut off by a crash mid-write: that message was never acknowledged to its sender
      }
    }
  }
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  let counter = messages.length;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const headers: Record<string, string> = {};
          for (const line of parsed.headerLines) {
            headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
          }
          const message: InboxMessage = {
            id: String(++counter),
            receivedAt: new Date().toISOString(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers,
          };
          messages.push(message);
          if (file) appendFileSync(file, `${JSON.stringify(message)}\n`);
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  // A client that goes away mid-session (a worker killed while its pooled connection is open)
  // resets its socket: that ends the session, not the inbox.
  smtp.on('error', () => undefined);

  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${httpPort}`);
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/api/v1/messages') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const list = messages.filter((m) => !to || m.to.some((a) => a.toLowerCase() === to)).reverse();
      return send(200, { total: list.length, messages: list });
    }
    const one = /^\/api\/v1\/messages\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const found = messages.find((m) => m.id === one[1]);
      return found ? send(200, found) : send(404, { error: `no message ${one[1]}` });
    }
    if (req.method === 'DELETE' && url.pathname === '/api/v1/messages') {
      messages.length = 0;
      return send(200, { total: 0 });
    }
    if (req.method === 'GET' && url.pathname === '/') return send(200, outboxPage(messages), 'text/html');
    return send(404, { error: 'not found' });
  });

  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(smtpPort, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(httpPort, '127.0.0.1', () => resolve());
  });
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    apiUrl: `http://127.0.0.1:${httpPort}`,
    stop: async () => {
      await new Promise<void>((r) => http.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * A plain page so a person can see what Waymark sent without another tool. It names an empty
 * icon, or browsers ask for `/favicon.ico` and log the 404 as an error.
 */
function outboxPage(messages: InboxMessage[]): string {
  const rows = [...messages]
    .reverse()
    .slice(0, 200)
    .map(
      (m) => `<details><summary><b>${escapeHtml(m.subject)}</b> → ${escapeHtml(m.to.join(', '))}
        <small>${escapeHtml(m.receivedAt)}</small></summary>
        <iframe sandbox srcdoc="${escapeHtml(m.html || `<pre>${escapeHtml(m.text)}</pre>`)}"></iframe></details>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Waymark outbox</title>
<link rel="icon" href="data:,">
<style>body{font:14px system-ui;margin:2rem;max-width:60rem}details{border-bottom:1px solid #ddd;padding:.5rem 0}
iframe{width:100%;height:24rem;border:1px solid #ccc;margin-top:.5rem}small{color:#666}</style></head>
<body><h1>Waymark outbox</h1><p>${messages.length} messages received by the local SMTP inbox.</p>${rows}</body></html>`;
}
