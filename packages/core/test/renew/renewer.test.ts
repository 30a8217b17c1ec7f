import { writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority } from '../../../../test/emulator/ca.ts';
import { tempDir } from '../../../../test/support/temp-dirs.ts';
import { CLOUDS } from '../../src/plan/clouds.ts';
import { createRenew, type RenewalPlan, renewalTransport } from '../../src/renew/renewer.ts';
import { nodeTransport } from '../../src/transport.ts';
import { SP_REGISTRY } from './support.ts';

/**
 * The renewal agent renews hours after the login, in its own process: it must trust and present what the
 * login's transport did. Here a server that asks for a client certificate answers with the name of the one
 * it was given.
 */
describe("the renewal's transport, from the plan's TLS files (the agent's Agent.CAInfo and Agent.ClientCert)", () => {
  const server = createHttpsServer({ requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const presented = (req.socket as TLSSocket).getPeerCertificate();
    res.end(presented.subject?.CN ?? 'none');
  });
  let origin = '';
  let files: { caFile: string; certFile: string; keyFile: string };

  beforeAll(async () => {
    const ca = await createCertificateAuthority();
    const identity = await ca.certFor('127.0.0.1');
    server.setSecureContext({ cert: identity.cert, key: identity.key });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = await ca.certFor('client.example');
    const dir = tempDir('acr-login-renewer-tls-');
    files = {
      caFile: join(dir, 'ca.pem'),
      certFile: join(dir, 'client.pem'),
      keyFile: join(dir, 'client.key'),
    };
    await writeFile(files.caFile, ca.caPem);
    await writeFile(files.certFile, client.cert);
    await writeFile(files.keyFile, client.key);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const plan = (tls?: RenewalPlan['tls']): RenewalPlan => ({
    cloud: CLOUDS.AzureCloud,
    registries: [],
    ...(tls === undefined ? {} : { tls }),
  });

  test('trusts the CA file and presents the client certificate', async () => {
    const transport = renewalTransport(plan(files), {});
    try {
      const response = await transport.request({ origin, path: '/', method: 'GET' });
      expect(await response.body.text()).toBe('client.example');
    } finally {
      await transport.close();
    }
  });

  test('the control: without the files, the server certificate is refused', async () => {
    const transport = renewalTransport(plan(), {});
    try {
      await expect(transport.request({ origin, path: '/', method: 'GET' })).rejects.toMatchObject({
        code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/),
      });
    } finally {
      await transport.close();
    }
  });

  test('with the CA file alone, no client certificate is presented', async () => {
    const transport = renewalTransport(plan({ caFile: files.caFile }), {});
    try {
      const response = await transport.request({ origin, path: '/', method: 'GET' });
      expect(await response.body.text()).toBe('none');
    } finally {
      await transport.close();
    }
  });
});

describe('a renewal round closes the transport it made, not one it was given', () => {
  const plan: RenewalPlan = {
    cloud: CLOUDS.AzureCloud,
    registries: [SP_REGISTRY],
  };

  test('its own: once closed, it opens nothing more', async () => {
    const renew = createRenew(plan, { env: {} });
    await renew.close?.();
    await expect(renew('contoso.azurecr.io')).rejects.toMatchObject({
      message: expect.stringContaining('ERR_TRANSPORT_CLOSED'),
    });
  });

  test("a transport the caller gave stays the caller's", async () => {
    const dispatcher = nodeTransport({ env: {} });
    try {
      expect(createRenew(plan, { env: {}, dispatcher }).close).toBeUndefined();
    } finally {
      await dispatcher.close();
    }
  });
});
