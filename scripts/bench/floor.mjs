// The floor: the least a login can do. Plain Node, no libraries: one Entra token request, then per registry
// the /v2/ challenge and the exchange, and one Docker config write. Same proxy, same TLS, same round trips.
// Node's modules through `require`, as the bundles load them: importing one as an ES module reads every
// export, and Node 24's `node:http` then loads undici for its WebSocket (about 18 ms), which no login needs.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { mkdirSync, writeFileSync } = require('node:fs');
const { request: httpRequest } = require('node:http');
const { Agent, request } = require('node:https');
const { join } = require('node:path');
const { connect } = require('node:tls');

const proxy = new URL(process.env.HTTPS_PROXY);
const registries = process.env.FLOOR_REGISTRIES.split(',');
const { FLOOR_TENANT: tenant, FLOOR_CLIENT_ID: clientId, FLOOR_SECRET: secret } = process.env;

// One tunnelled keep-alive connection per host, like a real client.
const agents = new Map();
function agentFor(host) {
  if (!agents.has(host)) {
    const agent = new Agent({ keepAlive: true });
    agent.createConnection = (_options, callback) => {
      httpRequest({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: `${host}:443` })
        .on('connect', (_res, socket) => callback(null, connect({ socket, servername: host })))
        .on('error', callback)
        .end();
    };
    agents.set(host, agent);
  }
  return agents.get(host);
}

function send(url, { method = 'GET', form } = {}) {
  const { host, pathname, search } = new URL(url);
  const body = form === undefined ? undefined : new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        path: pathname + search,
        method,
        agent: agentFor(host),
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const tokenPromise = send(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`, {
  method: 'POST',
  form: {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope: 'https://containerregistry.azure.net/.default',
  },
}).then((res) => JSON.parse(res.text).access_token);

const auths = {};
await Promise.all(
  registries.map(async (server) => {
    await send(`https://${server}/v2/`);
    const token = await tokenPromise;
    const res = await send(`https://${server}/oauth2/exchange`, {
      method: 'POST',
      form: { grant_type: 'access_token', service: server, tenant, access_token: token },
    });
    const refresh = JSON.parse(res.text).refresh_token;
    auths[server] = {
      auth: Buffer.from(`00000000-0000-0000-0000-000000000000:${refresh}`).toString('base64'),
    };
  }),
);
const dir = join(process.env.HOME, '.docker');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }, null, '\t'), { mode: 0o600 });
for (const agent of agents.values()) agent.destroy();
