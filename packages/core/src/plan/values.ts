import { AcrLoginError } from '../errors.ts';
import type { ClientKind, Cloud, InputKey, TokenAudience } from '../types.ts';
import { input } from '../wording.ts';
import { CLIENT_KINDS } from './names.ts';

/** Items separated by newlines or commas, trimmed; blank items (YAML block scalars leave some) dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\r\n,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function parseTokenAudience(value: string | undefined, key: InputKey): TokenAudience {
  const audience = value?.trim().toLowerCase() ?? '';
  if (audience === '' || audience === 'acr') return 'acr';
  if (audience === 'arm') return 'arm';
  throw new AcrLoginError(
    'INPUT_INVALID',
    `${input(key)} is "${value?.trim()}", which is not a token audience. Use "acr" (the default, accepted by every registry) or "arm" (Azure Resource Manager tokens, for registries that allow them).`,
    { input: key },
  );
}

/** A custom cloud has no known ARM audience, so `arm` cannot be asked for there. */
export function checkAudience(audience: TokenAudience, cloud: Cloud, key: InputKey): TokenAudience {
  if (audience === 'arm' && cloud.armScope === '') {
    throw new AcrLoginError(
      'INPUT_CONFLICT',
      `${input(key)} asks for an ARM token, but a custom cloud has no known Azure Resource Manager audience. Set ${input('tokenAudience')} to acr.`,
      { input: key },
    );
  }
  return audience;
}

/** `docker` (default), `podman`, `helm`, `oras` or `all`, separated by commas or new lines; order kept. */
export function parseClients(value: string | undefined): ClientKind[] {
  const items = splitList(value ?? '').map((item) => item.toLowerCase());
  if (items.length === 0) return ['docker'];
  const clients = new Set<ClientKind>();
  for (const item of items) {
    if (item === 'all') {
      for (const kind of CLIENT_KINDS) clients.add(kind);
      continue;
    }
    const kind = CLIENT_KINDS.find((candidate) => candidate === item);
    if (kind === undefined) {
      throw new AcrLoginError(
        'INPUT_INVALID',
        `${input('clients')} has "${item}", which is not a client acr-login configures. Use ${CLIENT_KINDS.join(', ')} or all, separated by commas.`,
        { input: 'clients' },
      );
    }
    clients.add(kind);
  }
  return [...clients];
}
