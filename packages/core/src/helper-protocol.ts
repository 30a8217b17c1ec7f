/**
 * The docker credential helper protocol (docker/docker-credential-helpers): the client runs
 * `docker-credential-<name> <command>`, writes the server (get, erase) or a JSON credential (store) to stdin,
 * and reads JSON from stdout. A failure is a non-zero exit with the message on stdout: clients quote stdout
 * in their own error and pass stderr through to the user.
 */

export type HelperCommand = 'get' | 'store' | 'erase' | 'list';

/** The exact text clients recognise as "no credentials here": they then go on anonymously. */
export const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';

export function parseCommand(value: string | undefined): HelperCommand | undefined {
  return value === 'get' || value === 'store' || value === 'erase' || value === 'list' ? value : undefined;
}

/**
 * The login server a client asks about: docker passes its `credHelpers` key, podman and skopeo the registry
 * host; some pass a URL (`https://contoso.azurecr.io/v2/`). Lower case, no scheme, path or default port.
 */
export function normaliseServer(input: string): string {
  let server = input.trim().toLowerCase();
  server = server.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const slash = server.indexOf('/');
  if (slash !== -1) server = server.slice(0, slash);
  return server.replace(/:443$/, '');
}

/** The `get` answer: what docker's client decodes into `credentials.Credentials`. */
export function credentialsJson(serverUrl: string, username: string, secret: string): string {
  return JSON.stringify({ ServerURL: serverUrl, Username: username, Secret: secret });
}
