import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A real Docker daemon (Debian's docker.io) for one test file, started without networking privileges: no
 * iptables, no bridge, vfs storage, and its own data root, exec root, pid file and socket in a temp dir.
 * It starts its own containerd. The registry hosts are reached the way the daemon reaches a registry behind
 * a corporate proxy: HTTPS_PROXY in its environment, and the CA in SSL_CERT_FILE (Go's system pool), so
 * nothing outside the temp dir (no /etc/docker/certs.d) is touched and parallel files do not share state.
 */

export interface Dockerd {
  /** `unix://<socket>`, for DOCKER_HOST. */
  readonly host: string;
  /** The daemon's log so far, for a failing test's message. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface DockerdOptions {
  /** The daemon's own environment: HTTPS_PROXY, NO_PROXY, SSL_CERT_FILE. */
  readonly env: Readonly<Record<string, string>>;
  /** Default 60 s: vfs and a first containerd start are slow on a loaded machine. */
  readonly startTimeoutMs?: number;
}

const STOP_TIMEOUT_MS = 20_000;

// A daemon outlives a crashed test run otherwise.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** `GET /_ping` on the socket: "OK" once the daemon serves its API. */
function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

export async function startDockerd(options: DockerdOptions): Promise<Dockerd> {
  // Under /tmp: a unix socket path may not exceed 107 bytes.
  const dir = await mkdtemp('/tmp/dockerd-');
  const socket = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const args = [
    '--iptables=false',
    '--ip6tables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--bridge=none',
    '--storage-driver=vfs',
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'dockerd.pid')}`,
    `--host=unix://${socket}`,
    // No daemon.json of the machine's: this one is configured by its flags only.
    `--config-file=${join(dir, 'daemon.json')}`,
  ];
  await writeFile(join(dir, 'daemon.json'), '{}\n');
  const log = createWriteStream(logFile);
  const child = spawn('dockerd', args, {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${code ?? signal}`;
      live.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      exited = `could not start: ${error.message}`;
      live.delete(child);
      resolve();
    });
  });
  const readLog = () => readFile(logFile, 'utf8').catch(() => '');

  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([exit.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    log.end();
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await ping(socket))) {
    if (exited !== undefined || Date.now() > deadline) {
      const reason =
        exited ?? `did not answer on ${socket} within ${(options.startTimeoutMs ?? 60_000) / 1000} s`;
      const tail = (await readLog()).split('\n').slice(-20).join('\n');
      await stop();
      throw new Error(`dockerd ${reason}:\n${tail}`);
    }
    await sleep(250);
  }
  return { host: `unix://${socket}`, log: readLog, stop };
}
