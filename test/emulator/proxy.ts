import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { CertificateAuthority } from './ca.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface FrontDoor {
  /** `http://127.0.0.1:<port>`: give it to clients as `HTTPS_PROXY`. */
  readonly proxyUrl: string;
  close(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy on loopback that terminates TLS itself for the host names the emulator serves,
 * so clients use real Azure host names and still talk only to this process.
 */
export async function startFrontDoor(
  ca: CertificateAuthority,
  serves: (host: string) => boolean,
  handler: Handler,
): Promise<FrontDoor> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  // One context per name, as a real front end keeps its certificates loaded: building one parses the key
  // and certificate again, which on every handshake made the emulator, not the client, the bottleneck of
  // parallel logins.
  const contexts = new Map<string, Promise<SecureContext>>();
  const contextFor = (servername: string): Promise<SecureContext> => {
    const name = servername.toLowerCase();
    let context = contexts.get(name);
    if (context === undefined) {
      context = ca.certFor(name).then((identity) => createSecureContext(identity));
      contexts.set(name, context);
    }
    return context;
  };
  const tlsServer = createHttpsServer(
    {
      SNICallback: (servername, callback) => {
        if (!serves(servername)) {
          callback(new Error(`not served: ${servername}`));
          return;
        }
        contextFor(servername).then(
          (context) => callback(null, context),
          (error: unknown) => callback(error as Error),
        );
      },
    },
    handler,
  );

  const proxy = createHttpServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' }).end('only CONNECT is supported\n');
  });
  proxy.on('connection', track);
  proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const [host = '', port = ''] = (req.url ?? '').toLowerCase().split(':');
    if (port !== '443' || !serves(host)) {
      // What a real proxy says when it cannot reach the host: the client reports an unknown host.
      socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    tlsServer.emit('connection', socket);
  });

  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;

  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      tlsServer.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
