import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Real proxies in front of the emulator: squid (basic auth through basic_ncsa_auth) and tinyproxy, each on
 * a free loopback port with its files in a temp dir. Both send every CONNECT on to the emulator's own
 * proxy (its `proxyUrl`), which is how the emulator's host names are reached; so a client that goes
 * through squid or tinyproxy reaches the same hosts as one that uses the emulator's proxy directly.
 */

export interface RealProxy {
  /** `http://127.0.0.1:<port>`, without credentials. */
  readonly url: string;
  readonly port: number;
  /** What the proxy logged about the requests it handled (squid's access.log, tinyproxy's log). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the proxy exited with ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the proxy did not listen on ${port} within 20 s: ${output()}`);
}

/** As root (CI), squid and tinyproxy drop to an unprivileged user, which must be able to use the folder. */
const isRoot = process.getuid?.() === 0;

async function start(
  command: string,
  args: readonly string[],
  port: number,
  dir: string,
  logFile: string,
): Promise<RealProxy> {
  let output = '';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  await waitForPort(port, child, () => output);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5_000).then(kill)]);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function workDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `acr-login-${name}-`));
  if (isRoot) await chmod(dir, 0o777);
  return dir;
}

/** squid with basic auth: `user` / `password` in an htpasswd file read by basic_ncsa_auth. */
export async function startSquid(options: {
  readonly upstream: string;
  readonly user: string;
  readonly password: string;
}): Promise<RealProxy> {
  const dir = await workDir('squid');
  const port = await freePort();
  const upstream = new URL(options.upstream);
  const passwd = join(dir, 'passwd');
  const made = spawnSync('htpasswd', ['-b', '-c', '-B', passwd, options.user, options.password], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`htpasswd failed: ${made.stderr}`);
  await chmod(passwd, 0o644);
  const config = join(dir, 'squid.conf');
  await writeFile(
    config,
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${join(dir, 'squid.pid')}`,
      `cache_log ${join(dir, 'cache.log')}`,
      `access_log stdio:${join(dir, 'access.log')}`,
      'cache_store_log none',
      'cache deny all',
      `coredump_dir ${dir}`,
      'netdb_filename none',
      'shutdown_lifetime 0 seconds',
      `auth_param basic program /usr/lib/squid/basic_ncsa_auth ${passwd}`,
      'auth_param basic realm acr-login test proxy',
      'acl authenticated proxy_auth REQUIRED',
      'acl SSL_ports port 443',
      'acl CONNECT method CONNECT',
      'http_access deny CONNECT !SSL_ports',
      'http_access allow authenticated',
      'http_access deny all',
      // Every request goes on to the emulator's proxy, which serves the Azure host names.
      `cache_peer ${upstream.hostname} parent ${upstream.port} 0 no-query no-digest default name=emulator`,
      'never_direct allow all',
      '',
    ].join('\n'),
  );
  return start('squid', ['-N', '-f', config], port, dir, join(dir, 'access.log'));
}

/** tinyproxy, without credentials (tinyproxy's BasicAuth is tried by the squid tests' counterpart). */
export async function startTinyproxy(options: { readonly upstream: string }): Promise<RealProxy> {
  const dir = await workDir('tinyproxy');
  const port = await freePort();
  const upstream = new URL(options.upstream);
  const log = join(dir, 'tinyproxy.log');
  const config = join(dir, 'tinyproxy.conf');
  await writeFile(
    config,
    [
      ...(isRoot ? ['User nobody', 'Group nogroup'] : []),
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${log}"`,
      'LogLevel Connect',
      `PidFile "${join(dir, 'tinyproxy.pid')}"`,
      'MaxClients 100',
      'ConnectPort 443',
      `Upstream http ${upstream.hostname}:${upstream.port}`,
      '',
    ].join('\n'),
  );
  return start('tinyproxy', ['-d', '-c', config], port, dir, log);
}

/** A proxy URL with the user and password percent-encoded, as a URL must carry `@ : /`. */
export function proxyUrlWith(proxy: RealProxy, user: string, password: string): string {
  return `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}`;
}
