// Starts the HTTP server on Node (loopback by default) and stops it cleanly.
import { serve as honoServe } from '@hono/node-server';
import type { PocketModel } from '../engine/pocket-model.js';
import { createApp, type ServerOptions } from './app.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `model` on host:port (port 0 = any free port). */
export function startServer(
  model: PocketModel,
  opts: ServerOptions & { host?: string; port?: number },
): Promise<RunningServer> {
  const { app } = createApp(model, opts);
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = honoServe({ fetch: app.fetch, hostname: host, port: opts.port ?? 8080 }, (info) => {
      const h = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${h}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((res) => {
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => res());
          }),
      });
    });
    server.on('error', reject);
  });
}
