import { randomUUID } from 'node:crypto';
import { type Request, sendJson } from './http.ts';
import type { Signer } from './keys.ts';
import type { Scenario } from './scenario.ts';

/** The public cloud's Azure Resource Manager: only what `az login` and `az acr login` read. */
export const ARM_HOST = 'management.azure.com';

/** ARM accepts Entra tokens for either of its two resource ids. */
const ARM_AUDIENCES: ReadonlySet<string> = new Set([
  'https://management.azure.com/',
  'https://management.core.windows.net/',
]);

export interface ArmContext {
  readonly scenario: Scenario;
  readonly entraSigner: Signer;
}

function sendArmError(r: Request, status: number, code: string, message: string): void {
  sendJson(r.res, status, { error: { code, message } });
}

/** True for a bearer token Entra issued for ARM; otherwise answers 401 as ARM does. */
async function verifyBearer(ctx: ArmContext, r: Request): Promise<boolean> {
  const authorization = r.req.headers.authorization ?? '';
  if (!authorization.startsWith('Bearer ')) {
    sendArmError(
      r,
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
    );
    return false;
  }
  try {
    const claims = await ctx.entraSigner.verify(authorization.slice('Bearer '.length));
    if (ARM_AUDIENCES.has(String(claims.aud))) return true;
  } catch {
    // Answered below, like any other token ARM does not accept.
  }
  sendArmError(r, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
  return false;
}

/**
 * A tenant with no subscriptions: `GET /subscriptions` (what `az login --allow-no-subscriptions` lists) and
 * `GET /subscriptions/{id}/resources` (how `az acr login` finds a registry by name) are empty, so `az` logs in
 * at tenant level and `az acr login` falls back to `<name>.azurecr.io`.
 */
export async function handleArm(ctx: ArmContext, r: Request): Promise<void> {
  r.service = 'arm';
  r.res.setHeader('x-ms-request-id', randomUUID());
  if (!(await verifyBearer(ctx, r))) return;
  const path = r.url.pathname.replace(/\/$/, '').toLowerCase();
  if (r.method === 'GET' && (path === '/subscriptions' || /^\/subscriptions\/[^/]+\/resources$/.test(path))) {
    sendJson(r.res, 200, { value: [] });
  } else {
    sendArmError(r, 404, 'NotFound', `The emulator serves no ARM endpoint ${r.method} ${r.url.pathname}.`);
  }
}
