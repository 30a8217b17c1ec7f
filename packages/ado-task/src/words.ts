import type { InputKey, Vocabulary } from '@acr-login/core';
import type { TaskAuthType, TaskInputs } from './context.ts';

/** The task's own name for each of core's auth types. */
const TASK_AUTH_TYPE: Readonly<Record<string, TaskAuthType>> = {
  'managed-identity': 'managedIdentity',
  'username-password': 'usernamePassword',
  anonymous: 'anonymous',
};

/**
 * How the task names core's inputs: its own inputs by their task.json names, and what comes from the
 * service connection as that connection (the agent passes its id, not its name).
 */
export function taskWords(inputs: TaskInputs | undefined): Vocabulary {
  const connection = inputs?.connection;
  const named =
    connection === undefined ? 'the service connection' : `the service connection '${connection.id}'`;
  const part = (what: string) => `${named} (its ${what})`;
  const own = (name: string) => `"${name}"`;
  const words: Readonly<Record<InputKey, string>> = {
    registry: own('registry'),
    clients: own('clients'),
    tokenAudience: own('tokenAudience'),
    username: own('username'),
    password: own('password'),
    logout: own('logout'),
    renew: own('renew'),
    isolateConfig: own('isolateConfig'),
    pullSecret: own('pullSecret'),
    trustedRegistries: own('trustedRegistries'),
    repositories: own('repositories'),
    authType: own('authType'),
    serviceConnectionId: own('azureSubscription'),
    clientId: inputs?.authType === 'managedIdentity' ? own('managedIdentityClientId') : part('client id'),
    managedIdentityResourceId: own('managedIdentityClientId'),
    tenantId: part('tenant id'),
    clientSecret: part('service principal key'),
    clientCertificate: part('certificate'),
    clientCertificatePassword: part('certificate'),
    creds: named,
    environment: part('environment'),
    authorityHost: part('Microsoft Entra authority'),
    registrySuffix: part('registry domain'),
    audience: part('OIDC audience'),
    systemAccessToken: 'the job access token (System.AccessToken)',
    maskPassword: 'password masking',
    AZURE_FEDERATED_TOKEN_FILE: 'AZURE_FEDERATED_TOKEN_FILE',
    AZURE_CLIENT_ID: 'AZURE_CLIENT_ID',
    AZURE_TENANT_ID: 'AZURE_TENANT_ID',
  };
  const setting = (type: string) =>
    connection === undefined
      ? `"authType: ${TASK_AUTH_TYPE[type] ?? 'serviceConnection'}"`
      : `${named} (${connection.scheme})`;
  return {
    input: (key) => words[key],
    authTypeIs: (type) =>
      connection === undefined
        ? `"authType" is "${TASK_AUTH_TYPE[type] ?? 'serviceConnection'}"`
        : `${named} uses ${connection.scheme}`,
    authTypeSetting: setting,
  };
}
