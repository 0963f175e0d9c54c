// The benchmarks' SMTP server, in its own process so senders (the Waymark worker, a bare
// nodemailer pool) never share an event loop with it. The same `smtp-server` library as the
// embedded inbox, minus the MIME parsing and storage: it reads each message to the end, then
// reports the recipients, the receipt time and the size to its parent over IPC.
import { SMTPServer } from 'smtp-server';

const port = Number(process.env['BENCH_SMTP_PORT']);
const send = (message: unknown) => process.send?.(message);

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, session, callback) {
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      for (const rcpt of session.envelope.rcptTo) send({ type: 'received', to: rcpt.address.toLowerCase(), at, bytes });
      callback();
    });
  },
});

// A sender that goes away mid-session resets its socket: that ends the session, not the sink.
server.on('error', () => undefined);
server.listen(port, '127.0.0.1', () => console.log(`bench smtp sink: listening on 127.0.0.1:${port} (pid ${process.pid})`));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
