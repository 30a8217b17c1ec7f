import type { LoginPlan } from '../plan/login-plan.ts';

/** Why `plan` cannot be renewed, or undefined when it can: only Entra logins have something to renew. */
export function notRenewable(plan: LoginPlan): string | undefined {
  if (plan.registries.some((registry) => registry.auth.type === 'entra')) return undefined;
  return plan.authType === 'anonymous'
    ? 'anonymous pulls need no credentials'
    : 'a registry password does not expire on a schedule acr-login controls';
}

/** The servers a renewal of `plan` routes to its helper: its Entra registries. */
export function renewedServers(plan: LoginPlan): string[] {
  return plan.registries.flatMap((registry) =>
    registry.auth.type === 'entra' ? [registry.loginServer] : [],
  );
}
