import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient as AzureHttpClient } from '@azure/core-rest-pipeline';
import { type AcrLoginError, errorMessage } from '../errors.ts';
import type { HttpClient } from '../http.ts';
import { stripControl } from '../log-text.ts';
import type { Transport } from '../transport.ts';
import type {
  Clock,
  Cloud,
  EnvInputKey,
  InputKey,
  Logger,
  LoginInputKey,
  OidcTokenProvider,
} from '../types.ts';
import type { ClientProof } from './entra.ts';

/**
 * One descriptor per Microsoft Entra auth kind: which inputs it accepts, how the planner builds its
 * identity, how the identity is described and keyed, and how it gets a token. Adding an auth kind is
 * one file in `kinds/` and a line in `kinds/index.ts`.
 */

/** What a descriptor gets to prove its identity: the cloud, the transport and the job's ports. */
export interface IdentityContext {
  readonly cloud: Cloud;
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly dispatcher: Transport;
  readonly logger: Logger;
  readonly oidcToken?: OidcTokenProvider;
  readonly debug?: boolean;
}

/** Inputs that select or configure an identity; each auth type accepts only some of them. */
export const IDENTITY_INPUTS = [
  'clientId',
  'tenantId',
  'clientSecret',
  'clientCertificate',
  'clientCertificatePassword',
  'creds',
  'managedIdentityResourceId',
  'username',
  'password',
  'audience',
  'tokenAudience',
  'serviceConnectionId',
] as const satisfies readonly LoginInputKey[];

export type IdentityInput = (typeof IDENTITY_INPUTS)[number];

/** What a `registry` entry may set for itself (cross-tenant logins). */
export type OverrideKey = 'tenantId' | 'clientId';

/** The service principal in a `creds` JSON. */
export interface Creds {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
  readonly authorityHost: string | undefined;
}

/** What the planner hands a kind to build its identity from; every value trimmed, blanks undefined. */
export interface BuildContext {
  readonly cloud: Cloud;
  value(key: LoginInputKey): string | undefined;
  env(name: EnvInputKey): string | undefined;
  /** `clientId` and `tenantId` inputs, already checked. */
  readonly clientId: string | undefined;
  readonly tenantId: string | undefined;
  readonly creds: Creds | undefined;
  checkClientId(value: string | undefined, input: InputKey): string | undefined;
  checkTenantId(value: string | undefined, input: InputKey): string | undefined;
  /**
   * The fields, or an `INPUT_REQUIRED` error naming every missing one at once. A field is named by its
   * input key; `labels` words a field whose fix is more than that input, and names the input it is
   * about (e.g. "client-secret or client-certificate").
   */
  require<T extends Record<string, string | undefined>>(
    fields: T,
    labels?: Partial<Record<keyof T, Label>>,
  ): { [K in keyof T]-?: string };
}

export interface Label {
  readonly text: string;
  readonly input: InputKey;
}

export interface Proof {
  readonly proof: ClientProof;
  /** The federated token presented, to explain a rejection by its claims. */
  readonly federated?: string;
}

export interface SdkOptions {
  readonly authorityHost: string;
  readonly disableInstanceDiscovery: boolean;
  readonly httpClient: AzureHttpClient;
}

interface KindBase<I> {
  readonly accepts: readonly IdentityInput[];
  readonly overridable: readonly OverrideKey[];
  build(ctx: BuildContext): I;
  /** Parts of the key that says which identities can share one token; never a secret. */
  keyParts(identity: I): readonly string[];
  describe(identity: I): string;
  /** The failure when Entra gives no code we explain; the generic one when absent or undefined. */
  unexplained?(identity: I, error: unknown): AcrLoginError | undefined;
}

/** Kinds that prove themselves to Entra in one client-credentials POST. */
export interface DirectKind<I> extends KindBase<I> {
  readonly via: 'direct';
  /** A proof at hand is returned as is, not as a promise: see getEntraToken. */
  proof(identity: I, ctx: IdentityContext): Proof | Promise<Proof>;
}

/** Kinds whose many variants @azure/identity knows (loaded lazily: it costs about 100 ms). */
export interface SdkKind<I> extends KindBase<I> {
  readonly via: 'sdk';
  credential(identity: I, sdk: typeof import('@azure/identity'), options: SdkOptions): TokenCredential;
}

export { isGuid } from '../ids.ts';

/** The first line of an error text, bounded: SDK errors carry whole response bodies. */
export function firstLine(error: unknown): string {
  const text = errorMessage(error);
  // Without its closing full stop: messages go on with a sentence of their own.
  const line = stripControl(text.split('\n')[0] ?? text).replace(/[.\s]+$/, '');
  return line.length > 400 ? `${line.slice(0, 400)}...` : line;
}

export type AuthKind<I> = DirectKind<I> | SdkKind<I>;

export const lower = (value: string | undefined): string => value?.toLowerCase() ?? '';

/** `{ key: value }` when the value is set, else `{}`: for optional fields under exactOptionalPropertyTypes. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
