// pocketlm serve -m MODEL [--embed-model FILE] [--db KB] [--host 127.0.0.1] [--port 8080] [--api-key KEY]
import { basename } from 'node:path';
import { startServer } from '../server/serve.js';
import { num, parse } from './args.js';
import { loadModelFromArgs, MODEL_OPTIONS } from './common.js';

export async function serveCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS,
    'embed-model': { type: 'string' },
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'api-key': { type: 'string', multiple: true },
    cors: { type: 'string' },
    'max-concurrent': { type: 'string' },
    'max-queue': { type: 'string' },
    'max-tokens': { type: 'string' },
    'max-body': { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(
      'usage: pocketlm serve [-m MODEL] [--embed-model FILE] [--db KB] [--host 127.0.0.1] [--port 8080] [--api-key KEY]...\n' +
        '       [--cors ORIGIN|*] [--max-concurrent 4] [--max-queue 32] [--max-tokens 4096] [--max-body BYTES] [--timeout SECONDS]\n',
    );
    return;
  }
  const model = await loadModelFromArgs(values);
  const keys = [
    ...(values['api-key'] ?? []),
    ...(process.env.POCKETLM_API_KEY ? [process.env.POCKETLM_API_KEY] : []),
  ];
  let answer: Parameters<typeof startServer>[1]['answer'];
  let embed: Parameters<typeof startServer>[1]['embed'];
  if (values.db) {
    const rag = await import('../rag/index.js');
    const { HashingEmbedder } = await import('../rag/embedder.js');
    const { ragGenerator } = await import('../engine/adapters.js');
    const kb = await rag.openKnowledgeBase(values.db, { embedder: new HashingEmbedder() });
    const gen = ragGenerator(model);
    answer = (question, o) => rag.ask(kb, gen, question, { k: o.k, signal: o.signal } as never);
  }
  void values['embed-model'];
  const server = await startServer(model, {
    modelId: values.model ? basename(values.model) : 'pocketlm-default',
    host: values.host,
    port: num(values, 'port', { int: true, min: 0, max: 65535, fallback: 8080 }),
    apiKeys: keys,
    corsOrigins: values.cors,
    maxConcurrent: num(values, 'max-concurrent', { int: true, min: 1 }),
    maxQueue: num(values, 'max-queue', { int: true, min: 0 }),
    maxTokens: num(values, 'max-tokens', { int: true, min: 1 }),
    maxBodyBytes: num(values, 'max-body', { int: true, min: 1024 }),
    timeoutMs: (num(values, 'timeout', { min: 1 }) ?? 300) * 1000,
    answer,
    embed,
  });
  process.stderr.write(
    `pocketlm serving ${model.source} at ${server.url}/v1 (${model.backendName})${keys.length ? ', API key required' : ''}\n`,
  );
  const stop = async () => {
    await server.close();
    model.dispose();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
