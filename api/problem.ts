import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { DocumentValidationError, InvalidCursorError, issuesOf } from '../store/documents.ts';
import type { FieldError, Problem } from './wire/common.ts';

/**
 * RFC 9457 problem details. Every error the API returns is one of these, as
 * `application/problem+json`, with `errors[].path` naming the field at fault
 * (`body.consent.email`, `query.limit`, `params.id`).
 */

const base = 'https://waymark.dev/problems/';

/** An error that becomes a problem response. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  /** The JSON body. */
  toProblem(instance?: string): Problem {
    return {
      type: `${base}${this.slug}`,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(instance === undefined ? {} : { instance }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

/** 400: the request does not match its schema; one entry per bad field. */
export function invalidRequest(errors: FieldError[]): ProblemError {
  const first = errors[0];
  const detail = first === undefined ? 'the request is not valid' : `${first.path}: ${first.message}`;
  return new ProblemError(400, 'invalid-request', 'The request is not valid', detail, errors);
}

/** 400 from a zod error at a request location (`body`, `query`, `params`). */
export function fromZod(error: z.ZodError, location: 'body' | 'query' | 'params'): ProblemError {
  return invalidRequest(issuesOf(error, [location]));
}

/** 404 naming what was looked for. */
export function notFound(what: string): ProblemError {
  return new ProblemError(404, 'not-found', 'Not found', `${what} does not exist`);
}

/** 405: the path exists, the method does not; `allow` lists the methods it has. */
export function methodNotAllowed(what: string, allow: string): ProblemError {
  return new ProblemError(405, 'method-not-allowed', 'Method not allowed', `${what} is not supported; this path allows ${allow}`, undefined, {
    Allow: allow,
  });
}

/** 409: the resource is not in a state that allows this. */
export function conflict(detail: string, path?: string): ProblemError {
  return new ProblemError(409, 'conflict', 'Conflict', detail, path === undefined ? undefined : [{ path, message: detail }]);
}

/** 422: well-formed but semantically rejected (e.g. a journey that does not compile). */
export function unprocessable(detail: string, errors: FieldError[]): ProblemError {
  return new ProblemError(422, 'unprocessable', 'The request cannot be processed', detail, errors);
}

export const unauthorized = () =>
  new ProblemError(401, 'unauthorized', 'Unauthorized', 'send an API key as `Authorization: Bearer <key>`', undefined, {
    'WWW-Authenticate': 'Bearer realm="waymark"',
  });

export const forbidden = (role: string, allowed: readonly string[]) =>
  new ProblemError(403, 'forbidden', 'Forbidden', `a ${role} key may not do this; allowed roles: ${allowed.join(', ')}`);

/** Writes a problem response. */
export function sendProblem(res: Response, problem: ProblemError, instance?: string): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.toProblem(instance)));
}

interface HttpError {
  status: number;
  type?: string;
  expose?: boolean;
  message: string;
}

function isHttpError(error: unknown): error is HttpError {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number';
}

/** Maps any error to a problem; unknown errors are logged and become a bare 500. */
export function toProblem(error: unknown, log: (error: unknown) => void): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof InvalidCursorError) return invalidRequest([{ path: 'query.cursor', message: error.message }]);
  if (error instanceof DocumentValidationError) {
    // A write the route validated still failed the store's schema: name the fields anyway.
    return unprocessable(error.message, error.issues.map((i) => ({ path: `body.${i.path}`, message: i.message })));
  }
  if (isHttpError(error)) {
    // body-parser's errors: too large, malformed JSON, unsupported charset.
    if (error.type === 'entity.too.large') return new ProblemError(413, 'too-large', 'Request body too large', error.message);
    if (error.type === 'entity.parse.failed') return invalidRequest([{ path: 'body', message: 'not valid JSON' }]);
    if (error.status >= 400 && error.status < 500) return new ProblemError(error.status, 'bad-request', 'Bad request', error.message);
  }
  log(error);
  return new ProblemError(500, 'internal', 'Internal server error', 'the error was logged; try again later');
}

/** Express error middleware: everything ends as `application/problem+json`. */
export function problemHandler(log: (error: unknown) => void): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    sendProblem(res, toProblem(error, log), req.path);
  };
}
