import { connect, createServer } from 'node:net';

/**
 * A loopback port nothing listens on, checked: the kernel hands out a free port, it is released, and a
 * connection to it must be refused before it is returned (port 9 or any fixed port may be served on some
 * machine). Five tries at most.
 */
export async function closedPort(): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') continue;
    if (await refused(address.port)) return address.port;
  }
  throw new Error('no closed loopback port found in 5 tries');
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
