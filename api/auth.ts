import type { Request } from 'express';
import { verifyApiKey } from '../store/apiKeys.ts';
import type { ResolvedDeps } from './deps.ts';
import { forbidden, unauthorized } from './problem.ts';
import type { Access, Principal, Role } from './route.ts';

/**
 * API-key authentication and role authorization. Keys arrive as `Authorization: Bearer <key>`
 * (or `X-Api-Key`), are looked up by hash, and are never logged or echoed.
 */

/** Every role, in the order the docs list them. */
export const allRoles: readonly Role[] = ['admin', 'marketer', 'operator', 'viewer', 'ingest'];

/** Read-only routes: every role that may look (ingest may not, except customers). */
export const readers: readonly Role[] = ['marketer', 'operator', 'viewer'];

/** The key a request presents, or null. */
export function presentedKey(req: Request): string | null {
  const header = req.get('authorization');
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? null;
  }
  const apiKey = req.get('x-api-key');
  return apiKey === undefined || apiKey.trim() === '' ? null : apiKey.trim();
}

/** Verifies the request's key; throws 401 when there is none or it is unknown or revoked. */
export async function authenticate(deps: ResolvedDeps, req: Request): Promise<Principal> {
  const key = presentedKey(req);
  if (key === null) throw unauthorized();
  const record = await verifyApiKey(deps.db, key);
  if (record === null) throw unauthorized();
  return { keyId: record.id, name: record.name, role: record.role };
}

/** Whether `role` may call a route with `access` (admin may call everything). */
export function allows(access: Access, role: Role): boolean {
  return access === 'public' || role === 'admin' || access.includes(role);
}

/** Throws 403 unless the principal's role is allowed. */
export function authorize(principal: Principal, access: Access): void {
  if (!allows(access, principal.role)) {
    throw forbidden(principal.role, access === 'public' ? allRoles : ['admin', ...access]);
  }
}
