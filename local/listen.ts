// Listening and closing for the local mode's own servers, with a busy port reported by the
// setting that chose it.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

export class PortInUseError extends Error {
  constructor(
    readonly setting: string,
    readonly port: number,
  ) {
    super(`${setting} ${port} is already in use: stop what holds it or choose another port`);
    this.name = 'PortInUseError';
  }
}

/** Listens on `port` (0: any free port) and resolves with the port taken. */
export function listen(
  server: Server,
  port: number,
  host: string,
  setting: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(setting, port) : error);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeHttpServer(server: HttpServer): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
