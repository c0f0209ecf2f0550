// A local fake OpenAI-compatible server (node:http on 127.0.0.1) for annotate/synth tests; no network.
import { createServer, type Server } from 'node:http';

export interface FakeServer {
  url: string;
  requests: { body: { messages: { role: string; content: string }[]; seed?: number } }[];
  close(): Promise<void>;
}

/** Start a server answering chat completions with `reply(prompt)`; `failFirst` requests get HTTP 503. */
export async function startFakeOpenAI(reply: (prompt: string) => string, failFirst = 0): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      n++;
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end('not found');
        return;
      }
      if (n <= failFirst) {
        res.writeHead(503).end('busy');
        return;
      }
      const parsed = JSON.parse(body);
      requests.push({ body: parsed });
      const prompt = parsed.messages.map((m: { content: string }) => m.content).join('\n');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: reply(prompt) } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
