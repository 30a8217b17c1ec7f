import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Signer } from './keys.ts';
import { HELLO_FILE, HELLO_REPOSITORY, HELLO_TAG } from './scenario.ts';

export const ACR_ISSUER = 'Azure Container Registry';
export const DOCKER_REGISTRY = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';

/** One real docker-registry process behind a login server. */
export interface EmulatedRegistry {
  readonly loginServer: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Plain http to a loopback port, no proxy: the emulator talking to its own registries. */
export function loopbackRequest(
  port: number,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
  body?: Buffer | string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startRegistry(
  loginServer: string,
  dir: string,
  rootCertFile: string,
): Promise<EmulatedRegistry> {
  await mkdir(join(dir, 'storage'), { recursive: true });
  const config = {
    version: '0.1',
    // info: the registry reports the port it was given ("listening on"); errors still go to stderr.
    log: { level: 'info', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'storage') },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    // Port 0: the kernel picks a free port as the registry listens, so no other process can take it first
    // (a port found free and closed, then handed over, could be).
    http: { addr: '127.0.0.1:0', secret: randomBytes(16).toString('hex'), relativeurls: true },
    health: { storagedriver: { enabled: false } },
    auth: {
      token: {
        realm: `https://${loginServer}/oauth2/token`,
        service: loginServer,
        issuer: ACR_ISSUER,
        rootcertbundle: rootCertFile,
      },
    },
  };
  const configFile = join(dir, 'config.json');
  // JSON is YAML: docker-registry reads it as is.
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const child = spawn(DOCKER_REGISTRY, ['serve', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let stderr = '';
  let port: number | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    port ??= listeningPort(stderr);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const stop = async (): Promise<void> => {
    if (!running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  // Ready when it said where it listens and /v2/ answers there with its token challenge (10 s at most).
  for (let attempt = 0; ; attempt++) {
    if (!running) throw new Error(`docker-registry for ${loginServer} exited: ${stderr}`);
    const reply =
      port === undefined ? undefined : await loopbackRequest(port, 'GET', '/v2/').catch(() => undefined);
    if (port !== undefined && reply?.status === 401) return { loginServer, port, process: child, stop };
    if (attempt > 400) {
      await stop();
      const where = port === undefined ? 'it never said where it listens' : `port ${port}`;
      throw new Error(`docker-registry for ${loginServer} did not become ready (${where}): ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The port in docker-registry's `msg="listening on 127.0.0.1:<port>"` log line. */
function listeningPort(log: string): number | undefined {
  const match = /msg="listening on 127\.0\.0\.1:(\d+)"/.exec(log);
  return match === null ? undefined : Number(match[1]);
}

function tarFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string): void => {
    header.write(value, offset, length, 'ascii');
  };
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${content.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, '00000000000\0');
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface Image {
  readonly blobs: ReadonlyArray<{ readonly digest: string; readonly data: Buffer }>;
  readonly manifest: Buffer;
  readonly mediaType: string;
}

/** A minimal docker schema 2 image: one gzip layer holding a text file, and its config. */
export function helloImage(): Image {
  const tar = tarFile(HELLO_FILE.path, Buffer.from(HELLO_FILE.content));
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/hello.txt'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      history: [{ created_by: 'acr-login emulator' }],
    }),
  );
  const mediaType = 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: sha256(config),
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: layer.length,
          digest: sha256(layer),
        },
      ],
    }),
  );
  return {
    blobs: [
      { digest: sha256(layer), data: layer },
      { digest: sha256(config), data: config },
    ],
    manifest,
    mediaType,
  };
}

/** Push `hello:latest` with the registry HTTP API, as any client would, with a token we mint ourselves. */
export async function seedHello(registry: EmulatedRegistry, signer: Signer, image: Image): Promise<void> {
  const token = await signer.sign(
    {
      iss: ACR_ISSUER,
      sub: 'emulator-seed',
      aud: registry.loginServer,
      access: [{ type: 'repository', name: HELLO_REPOSITORY, actions: ['pull', 'push'] }],
    },
    300,
  );
  const auth = { authorization: `Bearer ${token}` };
  const expect = (reply: Reply, status: number, what: string): void => {
    if (reply.status !== status)
      throw new Error(`seeding ${registry.loginServer}: ${what} -> ${reply.status} ${reply.body}`);
  };
  for (const blob of image.blobs) {
    const started = await loopbackRequest(
      registry.port,
      'POST',
      `/v2/${HELLO_REPOSITORY}/blobs/uploads/`,
      auth,
    );
    expect(started, 202, 'start upload');
    const location = String(started.headers.location);
    const separator = location.includes('?') ? '&' : '?';
    const put = await loopbackRequest(
      registry.port,
      'PUT',
      `${location}${separator}digest=${encodeURIComponent(blob.digest)}`,
      { ...auth, 'content-type': 'application/octet-stream', 'content-length': blob.data.length },
      blob.data,
    );
    expect(put, 201, `upload ${blob.digest}`);
  }
  const manifest = await loopbackRequest(
    registry.port,
    'PUT',
    `/v2/${HELLO_REPOSITORY}/manifests/${HELLO_TAG}`,
    { ...auth, 'content-type': image.mediaType, 'content-length': image.manifest.length },
    image.manifest,
  );
  expect(manifest, 201, 'put manifest');
}
