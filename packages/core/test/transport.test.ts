import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority } from '../../../test/emulator/ca.ts';
import { type FrontDoor, startFrontDoor } from '../../../test/emulator/proxy.ts';
import { closedPort } from '../../../test/support/ports.ts';
import { HttpClient } from '../src/http.ts';
import { envProxyFor, nodeTransport, noProxyMatches, parseNoProxy } from '../src/transport.ts';
import { nullLogger } from '../src/types.ts';

describe('NO_PROXY, read as undici and curl read it', () => {
  test.each([
    ['contoso.azurecr.io', 'https://contoso.azurecr.io/v2/', true],
    ['azurecr.io', 'https://contoso.azurecr.io/v2/', true],
    ['.azurecr.io', 'https://contoso.azurecr.io/v2/', true],
    ['*.azurecr.io', 'https://contoso.azurecr.io/v2/', true],
    ['cr.io', 'https://contoso.azurecr.io/v2/', false],
    ['contoso.azurecr.io:443', 'https://contoso.azurecr.io/v2/', true],
    ['contoso.azurecr.io:8443', 'https://contoso.azurecr.io/v2/', false],
    ['CONTOSO.AZURECR.IO', 'https://contoso.azurecr.io/v2/', true],
    ['localhost, login.microsoftonline.com', 'https://login.microsoftonline.com/t/', true],
    ['localhost login.microsoftonline.com', 'https://login.microsoftonline.com/t/', true],
    ['*', 'https://anything.example/', true],
    ['', 'https://contoso.azurecr.io/v2/', false],
  ])('NO_PROXY=%j for %s: bypassed %s', (value, url, bypassed) => {
    expect(noProxyMatches(parseNoProxy(value), new URL(url))).toBe(bypassed);
  });
});

describe('which proxy the environment names', () => {
  const registry = new URL('https://contoso.azurecr.io/v2/');
  test.each([
    [{}, undefined],
    [{ HTTPS_PROXY: 'http://upper:3128' }, 'http://upper:3128'],
    [{ https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128' }, 'http://lower:3128'],
    [{ HTTP_PROXY: 'http://plain:3128' }, 'http://plain:3128'],
    [{ HTTPS_PROXY: 'http://upper:3128', NO_PROXY: 'azurecr.io' }, undefined],
    [{ HTTPS_PROXY: 'http://upper:3128', no_proxy: 'azurecr.io', NO_PROXY: '' }, undefined],
    [{ HTTPS_PROXY: '' }, undefined],
  ])('%j gives %s', (env, proxy) => {
    expect(envProxyFor(env, registry)).toBe(proxy);
  });

  test('HTTPS_PROXY is not used for plain http', () => {
    expect(
      envProxyFor({ HTTPS_PROXY: 'http://upper:3128' }, new URL('http://example.test/')),
    ).toBeUndefined();
  });
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('nodeTransport against a real CONNECT proxy and TLS', () => {
  let caPem: string;
  let frontDoor: FrontDoor;
  const seen: { path: string; socket: Socket; body: string; headers: IncomingMessage['headers'] }[] = [];

  beforeAll(async () => {
    const ca = await createCertificateAuthority();
    caPem = ca.caPem;
    frontDoor = await startFrontDoor(
      ca,
      (host) => host === 'contoso.azurecr.io',
      (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          seen.push({ path: req.url ?? '', socket: req.socket, body, headers: req.headers });
          if (req.url === '/slow') return; // never answers
          res.writeHead(req.url === '/missing' ? 404 : 200, {
            'content-type': 'application/json',
            'x-echo': req.headers['x-echo'] ?? '',
          });
          res.end(JSON.stringify({ method: req.method, body }));
        });
      },
    );
  });
  afterAll(async () => frontDoor.close());

  test('requests to one host share one tunnel, and headers, status and body come back', async () => {
    seen.length = 0;
    const transport = nodeTransport({ env: { HTTPS_PROXY: frontDoor.proxyUrl }, tls: { ca: [caPem] } });
    try {
      const first = await transport.request({
        origin: 'https://contoso.azurecr.io',
        path: '/oauth2/exchange?x=1',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-echo': 'hello' },
        body: 'grant_type=access_token',
      });
      expect(first.statusCode).toBe(200);
      expect(first.headers['x-echo']).toBe('hello');
      expect(JSON.parse(await first.body.text())).toEqual({
        method: 'POST',
        body: 'grant_type=access_token',
      });
      const second = await transport.request({
        origin: 'https://contoso.azurecr.io',
        path: '/missing',
        method: 'GET',
      });
      expect(second.statusCode).toBe(404);
      await second.body.text();
      expect(seen.map((request) => request.path)).toEqual(['/oauth2/exchange?x=1', '/missing']);
      expect(seen[1]?.socket).toBe(seen[0]?.socket);
    } finally {
      await transport.close();
    }
  });

  test('close() ends the kept-alive tunnel', async () => {
    seen.length = 0;
    const transport = nodeTransport({ env: { HTTPS_PROXY: frontDoor.proxyUrl }, tls: { ca: [caPem] } });
    const res = await transport.request({ origin: 'https://contoso.azurecr.io', path: '/', method: 'GET' });
    await res.body.text();
    const socket = seen[0]?.socket;
    expect(socket?.destroyed).toBe(false);
    const closed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));
    await transport.close();
    await closed;
    expect(socket?.destroyed).toBe(true);
  });

  test('a host the proxy will not reach fails with a proxy error that is not retried', async () => {
    const transport = nodeTransport({ env: { HTTPS_PROXY: frontDoor.proxyUrl }, tls: { ca: [caPem] } });
    let sleeps = 0;
    const http = new HttpClient({
      dispatcher: transport,
      logger: nullLogger,
      sleep: async () => {
        sleeps++;
      },
    });
    try {
      await expect(
        http.send({ method: 'GET', url: 'https://fabrikam.azurecr.io/v2/', purpose: 'challenge' }),
      ).rejects.toMatchObject({
        code: 'REGISTRY_UNREACHABLE',
        message: expect.stringContaining('the proxy refused the connection to "fabrikam.azurecr.io"'),
      });
      expect(sleeps).toBe(0);
    } finally {
      await transport.close();
    }
  });

  test('a certificate the CA list does not trust is named as a TLS trust failure', async () => {
    const transport = nodeTransport({ env: { HTTPS_PROXY: frontDoor.proxyUrl } });
    const http = new HttpClient({ dispatcher: transport, logger: nullLogger, sleep: async () => undefined });
    try {
      await expect(
        http.send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'challenge' }),
      ).rejects.toMatchObject({ message: expect.stringContaining('is not trusted here') });
    } finally {
      await transport.close();
    }
  });

  test('no response headers within headersTimeout fails with ETIMEDOUT', async () => {
    const transport = nodeTransport({ env: { HTTPS_PROXY: frontDoor.proxyUrl }, tls: { ca: [caPem] } });
    try {
      await expect(
        transport.request({
          origin: 'https://contoso.azurecr.io',
          path: '/slow',
          method: 'GET',
          headersTimeout: 50,
        }),
      ).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      await transport.close();
    }
  });

  test('a request that sets no timeout still gets one: the transport default', async () => {
    const transport = nodeTransport({
      env: { HTTPS_PROXY: frontDoor.proxyUrl },
      tls: { ca: [caPem] },
      timeoutMs: 50,
    });
    try {
      await expect(
        transport.request({ origin: 'https://contoso.azurecr.io', path: '/slow', method: 'GET' }),
      ).rejects.toMatchObject({ code: 'ETIMEDOUT', message: 'no response headers within 50 ms' });
    } finally {
      await transport.close();
    }
  });

  test('NO_PROXY sends a request direct, and an explicit bypass does too', async () => {
    const server = createHttpServer((_req, res) => res.end('direct'));
    const port = await listen(server);
    const deadProxy = `http://127.0.0.1:${await closedPort()}`;
    try {
      for (const options of [
        { env: { HTTP_PROXY: deadProxy, NO_PROXY: '127.0.0.1' } },
        { proxy: { url: deadProxy }, bypass: (url: URL) => url.hostname === '127.0.0.1' },
      ]) {
        const transport = nodeTransport(options);
        const res = await transport.request({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' });
        expect(await res.body.text()).toBe('direct');
        await transport.close();
      }
    } finally {
      server.close();
    }
  });
});

describe('proxy credentials', () => {
  let proxy: Server;
  let port: number;
  const connects: IncomingMessage['headers'][] = [];

  beforeAll(async () => {
    proxy = createHttpServer();
    proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
      connects.push(req.headers);
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
    });
    port = await listen(proxy);
  });
  afterAll(() => proxy.close());

  test.each([
    [
      'the proxy URL user and password',
      { env: { HTTPS_PROXY: `http://ci%40corp:p%3Ass@127.0.0.1:PORT` } },
      'ci@corp:p:ss',
    ],
    [
      'an explicit Proxy-Authorization',
      { proxy: { url: 'http://127.0.0.1:PORT', authorization: 'Basic dTpw' } },
      'u:p',
    ],
  ])('%s go in Proxy-Authorization, and a 407 is a proxy error', async (_name, template, decoded) => {
    connects.length = 0;
    const options = JSON.parse(JSON.stringify(template).replaceAll('PORT', String(port)));
    const transport = nodeTransport(options);
    try {
      await expect(
        transport.request({ origin: 'https://contoso.azurecr.io', path: '/', method: 'GET' }),
      ).rejects.toMatchObject({
        code: 'ERR_PROXY_TUNNEL',
        statusCode: 407,
        message: expect.stringContaining('HTTP 407'),
      });
      // What the step says: the proxy wants credentials, and where they go.
      const http = new HttpClient({
        dispatcher: transport,
        logger: nullLogger,
        sleep: async () => undefined,
      });
      await expect(
        http.send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' }),
      ).rejects.toMatchObject({
        code: 'REGISTRY_UNREACHABLE',
        message: expect.stringContaining('the proxy wants credentials for "contoso.azurecr.io" (HTTP 407)'),
      });
      const header = String(connects[0]?.['proxy-authorization']);
      expect(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8')).toBe(decoded);
      expect(connects[0]?.host).toBe('contoso.azurecr.io:443');
    } finally {
      await transport.close();
    }
  });

  test('a proxy URL without a scheme is taken as http, as curl does', async () => {
    connects.length = 0;
    const transport = nodeTransport({ env: { HTTPS_PROXY: `127.0.0.1:${port}` } });
    try {
      await expect(
        transport.request({ origin: 'https://contoso.azurecr.io', path: '/', method: 'GET' }),
      ).rejects.toMatchObject({ code: 'ERR_PROXY_TUNNEL' });
      expect(connects).toHaveLength(1);
    } finally {
      await transport.close();
    }
  });
});

test('an https server reached direct with an extra CA', async () => {
  const ca = await createCertificateAuthority();
  const server = createHttpsServer(await ca.certFor('localhost'), (_req, res) => res.end('tls'));
  const port = await listen(server as unknown as Server);
  const transport = nodeTransport({ env: {}, tls: { ca: [ca.caPem] } });
  try {
    const res = await transport.request({ origin: `https://localhost:${port}`, path: '/', method: 'GET' });
    expect(await res.body.text()).toBe('tls');
  } finally {
    await transport.close();
    server.close();
  }
});
