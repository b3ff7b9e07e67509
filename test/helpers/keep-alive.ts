import { connect } from 'node:net';

/**
 * Sends `GET path` on one raw keep-alive connection, leaves it idle for `idleMs`, then sends it
 * again on the same connection: how many answers came, and whether the server closed the
 * connection while it was idle (what a client reusing it would see as ECONNRESET).
 */
export async function reuseAfterIdle(baseUrl: string, path: string, idleMs: number): Promise<{ answers: number; closedWhileIdle: boolean; received: string }> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  let received = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  const answers = () => received.split(/HTTP\/1\.1 \d{3} /).length - 1;
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 400 && !what() && !closed; i++) await new Promise((r) => setTimeout(r, 25));
  };
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const ask = `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n\r\n`;
    socket.write(ask);
    await until(() => answers() === 1);
    await new Promise((r) => setTimeout(r, idleMs));
    const closedWhileIdle = closed;
    if (!closed) {
      socket.write(ask);
      await until(() => answers() === 2);
    }
    return { answers: answers(), closedWhileIdle, received };
  } finally {
    socket.destroy();
  }
}
