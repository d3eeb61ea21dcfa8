import net from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1 by listening on port 0 and closing again.
 * Another process can take the port before the caller binds it, so callers that hand the
 * port to a child process should retry on "address in use".
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error(`could not read the port of a listener on ${host}`));
      });
    });
  });
}

/**
 * Resolves once a TCP server on host:port greets with a line that `isReady` accepts. Retries
 * refused connections (and greetings that are not ready yet) until `timeoutMs` has passed.
 */
export async function waitForGreeting(
  host: string,
  port: number,
  isReady: (line: string) => boolean,
  timeoutMs: number,
  stillAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no connection attempt yet';
  while (Date.now() < deadline) {
    if (!stillAlive()) throw new Error(`server on ${host}:${port} exited before it was ready`);
    const outcome = await readGreeting(host, port, isReady, Math.min(2_000, deadline - Date.now()));
    if (outcome === 'ready') return;
    lastProblem = outcome;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server on ${host}:${port} not ready after ${timeoutMs} ms (${lastProblem})`);
}

async function readGreeting(
  host: string,
  port: number,
  isReady: (line: string) => boolean,
  timeoutMs: number,
): Promise<'ready' | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffered = '';
    const finish = (outcome: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(`no ready greeting within ${timeoutMs} ms: ${JSON.stringify(buffered)}`), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\r\n').slice(0, -1);
      if (lines.some(isReady)) finish('ready');
    });
    socket.on('error', (error) => finish(error.message));
    socket.on('close', () => finish(`closed after ${JSON.stringify(buffered)}`));
  });
}
