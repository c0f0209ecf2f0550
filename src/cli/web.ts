// `pocketlm web`: serves the built chat page (web/dist) with COOP/COEP headers, and optional model files at /models/NAME.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { num, parse, UsageError } from './args.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.gguf': 'application/octet-stream',
};

/** Headers that make the page cross-origin isolated (SharedArrayBuffer, so kernel threads work). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** Options of startWebServer. */
export interface WebServerOptions {
  /** Directory holding the built page (index.html + assets). Default: the repository's web/dist. */
  root?: string;
  port?: number;
  host?: string;
  /** Model files served at /models/<basename>. */
  models?: string[];
  /** Called for every request (tests count model downloads with it). */
  onRequest?: (method: string, path: string) => void;
}

/** A running server. */
export interface WebServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The repository (package) root: the nearest directory above this file with pocketlm's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'pocketlm') return dir;
      } catch {
        // not ours
      }
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`cannot find the pocketlm package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Default location of the built page. */
export function defaultWebRoot(): string {
  return join(packageRoot(), 'web', 'dist');
}

/**
 * Builds the page with vite into `outDir` (default web/dist). Needs the dev dependency `vite` (a source
 * checkout); throws with the build's output when it fails.
 */
export function buildWebPage(outDir?: string): string {
  const root = packageRoot();
  const config = join(root, 'web', 'vite.config.ts');
  if (!existsSync(config))
    throw new Error(`${config} is missing: the web page sources are not in this install`);
  const viteBin = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(viteBin))
    throw new Error(
      `vite is not installed (${viteBin}); run \`npm install\` in ${root}, then \`npm run build:web\``,
    );
  const args = [viteBin, 'build', '--config', config, '--logLevel', 'warn'];
  if (outDir) args.push('--outDir', resolve(outDir));
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`web page build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  return outDir ? resolve(outDir) : defaultWebRoot();
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Serves `file` (with Range support, so large models can be fetched in parts). */
function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string): void {
  const st = statSync(file);
  const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string | number> = {
    ...ISOLATION_HEADERS,
    'Content-Type': type,
    'Cache-Control': cache,
    'Accept-Ranges': 'bytes',
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = st.size - 1;
  let status = 200;
  if (range && (range[1] || range[2])) {
    if (range[1]) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(end, Number(range[2]));
    } else start = Math.max(0, st.size - Number(range[2]));
    if (start > end || start >= st.size) {
      res.writeHead(416, { ...ISOLATION_HEADERS, 'Content-Range': `bytes */${st.size}` });
      res.end();
      return;
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
  }
  headers['Content-Length'] = end - start + 1;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || st.size === 0) {
    res.end();
    return;
  }
  createReadStream(file, { start, end }).pipe(res);
}

/** Starts the HTTP server for the page and model files. */
export async function startWebServer(opts: WebServerOptions = {}): Promise<WebServer> {
  const root = resolve(opts.root ?? defaultWebRoot());
  if (!existsSync(join(root, 'index.html')))
    throw new Error(`${root}/index.html is missing: build the page first (npm run build:web)`);
  const models = new Map<string, string>();
  for (const m of opts.models ?? []) {
    const p = resolve(m);
    if (!existsSync(p) || !statSync(p).isFile()) throw new Error(`--model ${m}: no such file`);
    const name = basename(p);
    if (models.has(name)) throw new Error(`--model ${m}: another model is already served as ${name}`);
    models.set(name, p);
  }
  const server = createServer((req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname);
      opts.onRequest?.(req.method ?? 'GET', path);
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
      if (path === '/api/models') {
        const list = [...models].map(([name, p]) => ({
          name,
          url: `/models/${encodeURIComponent(name)}`,
          bytes: statSync(p).size,
        }));
        return send(res, 200, JSON.stringify(list), 'application/json');
      }
      if (path.startsWith('/models/')) {
        const file = models.get(path.slice('/models/'.length));
        if (!file)
          return send(res, 404, `no model ${path} (served: ${[...models.keys()].join(', ') || 'none'})`);
        return sendFile(req, res, file, 'no-cache');
      }
      const rel = normalize(path === '/' ? '/index.html' : path);
      const file = join(root, rel);
      if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile())
        return send(res, 404, `not found: ${path}`);
      // Hashed assets never change; the page itself is revalidated.
      sendFile(
        req,
        res,
        file,
        rel.startsWith(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    } catch (e) {
      send(res, 500, (e as Error).message);
    }
  });
  return new Promise((resolveP, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8090, opts.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolveP({
        url: `http://${host}:${a.port}/`,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

const HELP = `pocketlm web [--port 8090] [--host 127.0.0.1] [--model FILE]... [--rebuild]

Serves the offline chat page (web/dist) with cross-origin isolation headers, so the engine can use kernel
threads in the browser. --model serves a GGUF file at /models/NAME and preloads it in the page.
The page is built with vite on first use (or with --rebuild; \`npm run build:web\` does the same).`;

/** The `pocketlm web` command. */
export async function webCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    model: { type: 'string', multiple: true },
    root: { type: 'string' },
    rebuild: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = num(values, 'port', { int: true, min: 0, max: 65535, fallback: 8090 })!;
  const host = values.host ?? '127.0.0.1';
  let root = values.root ? resolve(values.root) : defaultWebRoot();
  if (values.rebuild || (!values.root && !existsSync(join(root, 'index.html')))) {
    console.error('building the web page (vite)…');
    root = buildWebPage();
  }
  let srv: WebServer;
  try {
    srv = await startWebServer({ root, port, host, models: values.model });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const first = values.model?.[0];
  const open = first ? `${srv.url}?model=${encodeURIComponent(`/models/${basename(first)}`)}` : srv.url;
  console.log(`pocketlm web: ${open}`);
  console.log('(cross-origin isolated: COOP same-origin, COEP require-corp; Ctrl+C to stop)');
  await new Promise<void>((r) => {
    const stop = () => {
      void srv.close().then(r);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
