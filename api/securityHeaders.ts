import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers (helmet) for everything the HTTP server sends: the API, its reference page
 * and the editor. The Content-Security-Policy allows what the built editor and Swagger UI
 * load, all from this origin: scripts and workers from files (no inline script, no eval),
 * inline styles (React Flow and Swagger UI position elements with `style` attributes), images
 * and fonts from files or `data:` URLs, requests to this origin only, and no framing.
 *
 * `upgrade-insecure-requests` is left out: `npm start` serves plain HTTP on 127.0.0.1.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'worker-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': null,
      },
    },
    // Nothing is framed: the CSP's frame-ancestors says so too.
    frameguard: { action: 'deny' },
  });
}
