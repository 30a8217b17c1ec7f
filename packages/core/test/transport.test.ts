import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createNetServer,
  connect as netConnect,
  type Socket,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority } from '../../../test/emulator/ca.ts';
import { type FrontDoor, startFrontDoor } from '../../../test/emulator/proxy.ts';
import { closedPort } from '../../../test/support/ports.ts';
import { AcrLoginError } from '../src/errors.ts';
import { HttpClient } from '../src/http.ts';
import {
  envProxy,
  envProxyFor,
  NetworkTimeoutError,
  nodeTransport,
  noProxyMatches,
  parseNoProxy,
  redactProxyUrl,
} from '../src/transport.ts';
import { nullLogger } from '../src/types.ts';

describe("NO_PROXY, decided as Go's golang.org/x/net/http/httpproxy decides", () => {
  // Each row: the value, the request, whether Go's rules send it direct, and why.
  test.each([
    ['contoso.azurecr.io', 'https://contoso.azurecr.io/v2/', true, 'a name matches itself'],
    ['azurecr.io', 'https://contoso.azurecr.io/v2/', true, 'a name matches its subdomains'],
    ['azurecr.io', 'https://azurecr.io/', true, 'and itself'],
    ['.azurecr.io', 'https://contoso.azurecr.io/v2/', true, 'a leading dot matches subdomains'],
    ['.azurecr.io', 'https://azurecr.io/', false, 'but not the name itself'],
    ['*.azurecr.io', 'https://contoso.azurecr.io/v2/', true, '*. matches subdomains'],
    ['*.azurecr.io', 'https://azurecr.io/', false, 'but not the name itself'],
    ['cr.io', 'https://contoso.azurecr.io/v2/', false, 'a suffix is matched on label boundaries'],
    ['contoso.azurecr.io:443', 'https://contoso.azurecr.io/v2/', true, 'host:port matches that port'],
    ['azurecr.io:443', 'https://contoso.azurecr.io/v2/', true, 'subdomains on that port'],
    ['contoso.azurecr.io:8443', 'https://contoso.azurecr.io/v2/', false, 'and no other'],
    ['contoso.azurecr.io:8443', 'https://contoso.azurecr.io:8443/', true, 'an explicit port in the URL'],
    ['CONTOSO.AZURECR.IO', 'https://contoso.azurecr.io/v2/', true, 'case does not matter'],
    [
      ' localhost , login.microsoftonline.com ',
      'https://login.microsoftonline.com/t/',
      true,
      'comma-separated, trimmed',
    ],
    [
      'localhost login.microsoftonline.com',
      'https://login.microsoftonline.com/t/',
      false,
      'spaces do not separate',
    ],
    ['*', 'https://anything.example/', true, '* alone turns the proxy off'],
    ['*,example.test', 'https://anything.example/', true, 'wherever it stands'],
    ['*.', 'https://anything.example/', false, 'a wildcard with no name matches nothing'],
    ['', 'https://contoso.azurecr.io/v2/', false, 'empty: everything through the proxy'],
    ['10.1.2.3', 'https://10.1.2.3/v2/', true, 'an IP literal matches that IP'],
    ['10.1.2.3', 'https://10.1.2.4/v2/', false, 'and no other'],
    ['10.1.2.3:443', 'https://10.1.2.3/v2/', true, 'IP:port'],
    ['10.1.2.3:80', 'https://10.1.2.3/v2/', false, 'IP on another port'],
    ['10.0.0.0/8', 'https://10.200.0.1/v2/', true, 'a CIDR range matches IPs in it'],
    ['10.0.0.0/8', 'https://11.0.0.1/v2/', false, 'and no others'],
    ['10.0.0.0/8', 'https://ten.example/', false, 'CIDR ranges match IP targets only, not names'],
    ['2001:db8::1', 'https://[2001:db8::1]/', true, 'an IPv6 literal'],
    ['2001:db8::/32', 'https://[2001:db8:ffff::5]/', true, 'an IPv6 range'],
    ['[2001:db8::1]:443', 'https://[2001:db8::1]/', true, 'a bracketed IPv6 literal with its port'],
    ['[2001:db8::1]', 'https://[2001:db8::1]/', false, 'brackets without a port are no IP literal to Go'],
    ['[::1]', 'https://[::1]:8443/', true, 'loopback is never proxied anyway'],
    ['', 'https://localhost:8443/', true, 'nor localhost'],
    ['', 'https://127.0.0.5/', true, 'nor 127.0.0.0/8'],
    ['', 'https://[::ffff:127.0.0.1]/', true, 'nor 127.0.0.0/8 mapped to IPv6, as Go reads it'],
    [':443', 'https://contoso.azurecr.io/', false, 'an entry without a host is ignored'],
  ])('NO_PROXY=%j for %s: direct %s (%s)', (value, url, direct) => {
    expect(noProxyMatches(parseNoProxy(value), new URL(url))).toBe(direct);
  });
});

describe('which proxy the environment names, as Go picks it', () => {
  const registry = new URL('https://contoso.azurecr.io/v2/');
  test.each([
    [{}, undefined],
    [{ HTTPS_PROXY: 'http://upper:3128' }, 'http://upper:3128'],
    [{ https_proxy: 'http://lower:3128' }, 'http://lower:3128'],
    [{ https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128' }, 'http://upper:3128'],
    [{ HTTP_PROXY: 'http://plain:3128' }, undefined],
    [{ HTTPS_PROXY: 'http://upper:3128', NO_PROXY: 'azurecr.io' }, undefined],
    [{ HTTPS_PROXY: 'http://upper:3128', no_proxy: 'azurecr.io' }, undefined],
    [
      { HTTPS_PROXY: 'http://upper:3128', no_proxy: 'azurecr.io', NO_PROXY: 'example.test' },
      'http://upper:3128',
    ],
    [{ HTTPS_PROXY: '' }, undefined],
  ])('%j gives %s', (env, proxy) => {
    expect(envProxyFor(env, registry)).toBe(proxy);
  });

  test('plain http uses HTTP_PROXY, never HTTPS_PROXY', () => {
    const url = new URL('http://example.test/');
    expect(envProxyFor({ HTTPS_PROXY: 'http://upper:3128' }, url)).toBeUndefined();
    expect(envProxy({ http_proxy: 'http://plain:3128' }, url)).toEqual({
      url: 'http://plain:3128',
      variable: 'http_proxy',
    });
  });
});

describe('proxy URLs', () => {
  test.each([
    ['socks5://127.0.0.1:1080', 'socks5'],
    ['socks5h://user:secret@proxy.corp:1080', 'socks5h'],
    ['socks4://proxy.corp:1080', 'socks4'],
  ])('%s is refused with the variable, the rule and the fix, no credentials', async (value, scheme) => {
    const transport = nodeTransport({ env: { HTTPS_PROXY: value } });
    const http = new HttpClient({ dispatcher: transport, logger: nullLogger, sleep: async () => undefined });
    const error = await http
      .send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcrLoginError);
    expect(error).toMatchObject({ code: 'INPUT_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain(`HTTPS_PROXY names a ${scheme} proxy`);
    expect(message).toContain('http://host:port');
    expect(message).not.toContain('secret');
    await transport.close();
  });

  test.each([
    // Port 9 (discard) has no listener here: the connection is refused, and retried like any refusal.
    ['refuses the connection', 'http://user:secret@127.0.0.1:9', 'http://127.0.0.1:9', 'ECONNREFUSED'],
    // .invalid never resolves (RFC 2606): the proxy's name is the one that does not, not the registry's.
    [
      'does not resolve',
      'http://user:secret@proxy.invalid:3128',
      'http://proxy.invalid:3128',
      'its name does not resolve',
    ],
  ])(
    'a proxy that %s is named as the failure, not the registry behind it',
    async (_name, value, shown, reason) => {
      const transport = nodeTransport({ env: { HTTPS_PROXY: value } });
      const http = new HttpClient({
        dispatcher: transport,
        logger: nullLogger,
        sleep: async () => undefined,
      });
      try {
        const error = await http
          .send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' })
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
        const message = (error as Error).message;
        expect(message).toContain(
          `The registry challenge failed: could not connect to the proxy ${shown} on the way to "contoso.azurecr.io" (${reason}).`,
        );
        expect(message).toContain(
          "Check the proxy's host name and port in HTTPS_PROXY, and that the proxy is running.",
        );
        expect(message).not.toContain('secret');
        expect(message).not.toContain('"contoso.azurecr.io" does not resolve');
      } finally {
        await transport.close();
      }
    },
  );

  test("an explicit proxy that cannot be reached names its own setting: the agent's, on Azure Pipelines", async () => {
    const transport = nodeTransport({ proxy: { url: 'http://127.0.0.1:9', source: 'Agent.ProxyUrl' } });
    const http = new HttpClient({ dispatcher: transport, logger: nullLogger, sleep: async () => undefined });
    try {
      await expect(
        http.send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' }),
      ).rejects.toMatchObject({
        message: expect.stringContaining(
          "(ECONNREFUSED). Check the proxy's host name and port in Agent.ProxyUrl, and that the proxy is running.",
        ),
      });
    } finally {
      await transport.close();
    }
  });

  test('an explicit proxy names its own setting', async () => {
    const transport = nodeTransport({ proxy: { url: 'socks5://proxy:1080', source: 'Agent.ProxyUrl' } });
    await expect(
      transport.request({ origin: 'https://contoso.azurecr.io', path: '/', method: 'GET' }),
    ).rejects.toMatchObject({ message: expect.stringContaining('Agent.ProxyUrl names a socks5 proxy') });
  });

  test.each([
    ['http://user:p%40ss@proxy.corp:3128', 'http://proxy.corp:3128'],
    ['https://user@proxy.corp', 'https://proxy.corp'],
    ['user:pass@proxy.corp:3128', 'http://proxy.corp:3128'],
    ['http://proxy.corp:3128/', 'http://proxy.corp:3128'],
    ['http://us er:pa ss@[bad', 'http://[bad'],
  ])('%s is shown as %s', (value, shown) => {
    expect(redactProxyUrl(value)).toBe(shown);
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
      timeouts: { headers: 50 },
    });
    try {
      await expect(
        transport.request({ origin: 'https://contoso.azurecr.io', path: '/slow', method: 'GET' }),
      ).rejects.toMatchObject({
        code: 'ETIMEDOUT',
        stage: 'headers',
        message: `no response headers from contoso.azurecr.io:443 through the proxy ${frontDoor.proxyUrl} within 50 ms`,
      });
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
        { env: { HTTP_PROXY: deadProxy, NO_PROXY: '127.0.0.0/8' } },
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
      // What the step says: the proxy refused the credentials it was given, named without them.
      const http = new HttpClient({
        dispatcher: transport,
        logger: nullLogger,
        sleep: async () => undefined,
      });
      const error = (await http
        .send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' })
        .catch((e: unknown) => e as Error)) as Error;
      expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
      expect(error.message).toContain(
        `the proxy http://127.0.0.1:${port} refused the credentials it was given for "contoso.azurecr.io" (HTTP 407)`,
      );
      expect(error.message).not.toMatch(/p%3Ass|p:ss|dTpw/);
      expect(connects).toHaveLength(2);
      const header = String(connects[0]?.['proxy-authorization']);
      expect(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8')).toBe(decoded);
      expect(connects[0]?.host).toBe('contoso.azurecr.io:443');
    } finally {
      await transport.close();
    }
  });

  test('a proxy URL without a scheme is taken as http, as curl does; without credentials, a 407 asks for them', async () => {
    connects.length = 0;
    const transport = nodeTransport({ env: { HTTPS_PROXY: `127.0.0.1:${port}` } });
    try {
      await expect(
        transport.request({ origin: 'https://contoso.azurecr.io', path: '/', method: 'GET' }),
      ).rejects.toMatchObject({ code: 'ERR_PROXY_TUNNEL' });
      expect(connects).toHaveLength(1);
      const http = new HttpClient({
        dispatcher: transport,
        logger: nullLogger,
        sleep: async () => undefined,
      });
      await expect(
        http.send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' }),
      ).rejects.toMatchObject({
        message: expect.stringContaining(
          `the proxy http://127.0.0.1:${port} wants credentials for "contoso.azurecr.io" (HTTP 407)`,
        ),
      });
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

/** A listener that accepts connections and never says a word; `sockets` are what it accepted. */
async function silentListener(): Promise<{ port: number; sockets: Set<Socket>; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    // Read (and drop) what comes, so that the client's close is seen.
    socket.resume();
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** A proxy that answers every CONNECT with 200 and then never speaks again (no TLS, nothing). */
async function blackHoleProxy(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createHttpServer();
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const challenge = {
  method: 'GET',
  url: 'https://contoso.azurecr.io/v2/',
  purpose: 'registry challenge',
} as const;

describe('every stage ends by itself', () => {
  const short = { connect: 200, proxy: 200, tls: 200, headers: 200, body: 200 };

  test('a proxy that accepts and never answers CONNECT: the proxy stage, naming host and proxy', async () => {
    const silent = await silentListener();
    const transport = nodeTransport({
      env: { HTTPS_PROXY: `http://u:secret@127.0.0.1:${silent.port}` },
      timeouts: short,
    });
    try {
      const started = Date.now();
      await expect(
        transport.request({ origin: 'https://contoso.azurecr.io', path: '/v2/', method: 'GET' }),
      ).rejects.toMatchObject({
        code: 'ETIMEDOUT',
        stage: 'proxy',
        message: `the proxy http://127.0.0.1:${silent.port} did not answer CONNECT contoso.azurecr.io:443 within 200 ms`,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      // The connection it gave up on is closed, not left to the proxy.
      await expect.poll(() => silent.sockets.size).toBe(0);
    } finally {
      await transport.close();
      silent.close();
    }
  });

  test('a proxy that answers CONNECT with 200 and never speaks TLS: the TLS stage', async () => {
    const hole = await blackHoleProxy();
    const transport = nodeTransport({ env: { HTTPS_PROXY: hole.url }, timeouts: short });
    try {
      await expect(
        transport.request({ origin: 'https://contoso.azurecr.io', path: '/v2/', method: 'GET' }),
      ).rejects.toMatchObject({
        stage: 'tls',
        message: `no TLS handshake with contoso.azurecr.io:443 through the proxy ${hole.url} within 200 ms`,
      });
    } finally {
      await transport.close();
      hole.close();
    }
  });

  test('an endpoint reached direct that accepts and stays silent: the TLS stage, no proxy named', async () => {
    const silent = await silentListener();
    const transport = nodeTransport({ env: {}, timeouts: short });
    try {
      await expect(
        transport.request({ origin: `https://127.0.0.1:${silent.port}`, path: '/', method: 'GET' }),
      ).rejects.toMatchObject({
        stage: 'tls',
        message: `no TLS handshake with 127.0.0.1:${silent.port} within 200 ms`,
      });
    } finally {
      await transport.close();
      silent.close();
    }
  });

  test('a body that stops half way: the body stage', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const port = await listen(server);
    const transport = nodeTransport({ env: {}, timeouts: short });
    try {
      const res = await transport.request({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' });
      await expect(res.body.text()).rejects.toMatchObject({
        stage: 'body',
        message: `the response body from 127.0.0.1:${port} stalled for 200 ms`,
      });
    } finally {
      await transport.close();
      server.closeAllConnections();
      server.close();
    }
  });

  test('the budget cuts a stage short and says so', async () => {
    const silent = await silentListener();
    const transport = nodeTransport({
      env: { HTTPS_PROXY: `http://127.0.0.1:${silent.port}` },
      budgetMs: 150,
    });
    try {
      const error = (await transport
        .request({ origin: 'https://contoso.azurecr.io', path: '/v2/', method: 'GET' })
        .catch((e: unknown) => e as NetworkTimeoutError)) as NetworkTimeoutError;
      expect(error).toBeInstanceOf(NetworkTimeoutError);
      expect(error.ms).toBeLessThanOrEqual(150);
      expect(error.message).toMatch(
        /did not answer CONNECT .* within \d+ ms: the 150 ms allowed for the network ran out$/,
      );
    } finally {
      await transport.close();
      silent.close();
    }
  });

  test('close() ends connections still being opened, so nothing keeps the process alive', async () => {
    const silent = await silentListener();
    const transport = nodeTransport({ env: { HTTPS_PROXY: `http://127.0.0.1:${silent.port}` } });
    const pending = transport.request({ origin: 'https://contoso.azurecr.io', path: '/v2/', method: 'GET' });
    pending.catch(() => undefined);
    await expect.poll(() => silent.sockets.size).toBe(1);
    const started = Date.now();
    await transport.close();
    await expect(pending).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect.poll(() => silent.sockets.size).toBe(0);
    // A retry after close opens nothing: it would hold the process open after the step failed.
    await expect(
      transport.request({ origin: 'https://contoso.azurecr.io', path: '/v2/', method: 'GET' }),
    ).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    expect(silent.sockets.size).toBe(0);
    silent.close();
  });

  test('HttpClient: retries a silent proxy with jittered pauses, then fails with host, proxy and stage first', async () => {
    const silent = await silentListener();
    const transport = nodeTransport({
      env: { HTTPS_PROXY: `http://127.0.0.1:${silent.port}` },
      timeouts: short,
    });
    const sleeps: number[] = [];
    const http = new HttpClient({
      dispatcher: transport,
      logger: nullLogger,
      random: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    try {
      const error = (await http.send(challenge).catch((e: unknown) => e as Error)) as Error;
      expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
      const [first] = error.message.split('\n');
      expect(first).toBe(
        `The registry challenge timed out: the proxy http://127.0.0.1:${silent.port} did not answer CONNECT contoso.azurecr.io:443 within 200 ms (4 attempts). Check that the proxy http://127.0.0.1:${silent.port} is up and may reach "contoso.azurecr.io", or list "contoso.azurecr.io" in NO_PROXY if it should be reached direct.`,
      );
      // Half of 500, 1000, 2000 ms: random() = 0 is the low end of the jitter.
      expect(sleeps).toEqual([250, 500, 1000]);
    } finally {
      await transport.close();
      silent.close();
    }
  });

  test('HttpClient: no retry starts that the budget cannot hold', async () => {
    const silent = await silentListener();
    const transport = nodeTransport({
      env: { HTTPS_PROXY: `http://127.0.0.1:${silent.port}` },
      timeouts: short,
    });
    let now = 0;
    const sleeps: number[] = [];
    const http = new HttpClient({
      dispatcher: transport,
      logger: nullLogger,
      clock: { now: () => now },
      random: () => 1,
      // The first pause moves the clock to 97 s of the 100 s budget: too little is left for another attempt.
      sleep: async (ms) => {
        sleeps.push(ms);
        now += 97_000;
      },
    });
    try {
      await expect(http.send(challenge)).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
      expect(sleeps).toEqual([500]);
    } finally {
      await transport.close();
      silent.close();
    }
  });
});

describe('TLS through a proxy', () => {
  let ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
  let proxy: Server;
  let proxyPort: number;
  beforeAll(async () => {
    ca = await createCertificateAuthority();
    // A plain tunnelling proxy: CONNECT host:port opens a TCP connection there.
    proxy = createHttpServer();
    proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
      const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/);
      const upstream = netConnect({ host: host.replace(/^\[|\]$/g, ''), port: Number(port) }, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    proxyPort = await listen(proxy);
  });
  afterAll(() => proxy.close());

  test.each([
    ['127.0.0.1', true],
    ['localhost', false],
  ])('an IP target is checked against that IP: a certificate for %s is accepted %s', async (name, ok) => {
    const server = createHttpsServer(await ca.certFor(name), (_req, res) => res.end('ip'));
    const port = await listen(server as unknown as Server);
    const transport = nodeTransport({
      proxy: { url: `http://127.0.0.1:${proxyPort}` },
      tls: { ca: [ca.caPem] },
    });
    try {
      const result = transport.request({ origin: `https://127.0.0.1:${port}`, path: '/', method: 'GET' });
      if (ok) expect(await (await result).body.text()).toBe('ip');
      else await expect(result).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    } finally {
      await transport.close();
      server.close();
    }
  });

  test('the client certificate goes to the target only, not to an https proxy', async () => {
    const client = await ca.certFor('client.example');
    const presented: Record<string, boolean> = {};
    const target = createHttpsServer(
      { ...(await ca.certFor('127.0.0.1')), requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        presented.target =
          (req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject !== undefined;
        res.end('ok');
      },
    );
    const targetPort = await listen(target as unknown as Server);
    const httpsProxy = createHttpsServer({
      ...(await ca.certFor('localhost')),
      requestCert: true,
      rejectUnauthorized: false,
    });
    httpsProxy.on('connect', (req: IncomingMessage, socket: Socket) => {
      presented.proxy = (socket as import('node:tls').TLSSocket).getPeerCertificate().subject !== undefined;
      const [host = '', port = ''] = (req.url ?? '').split(':');
      const upstream = netConnect({ host, port: Number(port) }, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
    });
    const httpsProxyPort = await listen(httpsProxy as unknown as Server);
    const transport = nodeTransport({
      proxy: { url: `https://localhost:${httpsProxyPort}` },
      tls: { ca: [ca.caPem], cert: Buffer.from(client.cert), key: Buffer.from(client.key) },
    });
    try {
      const res = await transport.request({
        origin: `https://127.0.0.1:${targetPort}`,
        path: '/',
        method: 'GET',
      });
      expect(await res.body.text()).toBe('ok');
      expect(presented).toEqual({ proxy: false, target: true });
    } finally {
      await transport.close();
      target.close();
      httpsProxy.close();
    }
  });

  test('an https proxy whose certificate is not trusted is named, with the CA settings as the fix', async () => {
    const httpsProxy = createHttpsServer(await ca.certFor('localhost'));
    const port = await listen(httpsProxy as unknown as Server);
    // No CA: the proxy's certificate is the one that fails, before any CONNECT.
    const transport = nodeTransport({ proxy: { url: `https://localhost:${port}` } });
    const http = new HttpClient({ dispatcher: transport, logger: nullLogger, sleep: async () => undefined });
    try {
      const error = await http
        .send({ method: 'GET', url: 'https://contoso.azurecr.io/v2/', purpose: 'registry challenge' })
        .catch((e: unknown) => e);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^The registry challenge failed: the TLS certificate "https://localhost:${port}" presented is not trusted here \\([A-Z_]+\\)\\. .*NODE_EXTRA_CA_CERTS`,
        ),
      );
    } finally {
      await transport.close();
      httpsProxy.close();
    }
  });

  test('a client certificate that cannot be used fails before any connection, naming the TLS settings', async () => {
    let connections = 0;
    const server = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    const port = await listen(server as unknown as Server);
    const transport = nodeTransport({
      tls: { cert: Buffer.from('not a certificate'), key: Buffer.from('no key') },
    });
    try {
      const error = await transport
        .request({ origin: `https://127.0.0.1:${port}`, path: '/', method: 'GET' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AcrLoginError);
      expect(error).toMatchObject({ code: 'CERTIFICATE_INVALID' });
      expect((error as Error).message).toMatch(
        /^The TLS settings the runner or agent gives the step's connections cannot be used: .+\. Check the client certificate/,
      );
      expect(connections).toBe(0);
    } finally {
      await transport.close();
      server.close();
    }
  });
});
