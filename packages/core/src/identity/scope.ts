import type { Cloud, TokenAudience } from '../types.ts';

/** Accepted by every registry, and the only scope accepted when authentication-as-arm is disabled. */
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

/** The Entra scope for a token audience; the planner refuses `arm` where the cloud has none. */
export function entraScope(audience: TokenAudience, cloud: Cloud): string {
  return audience === 'acr' ? ACR_SCOPE : cloud.armScope;
}
