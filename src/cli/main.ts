// The `pocketlm` command: dispatches to one module per command; errors are one line on stderr.
import { UsageError } from './args.js';

type Command = (argv: string[]) => Promise<void>;

/** Commands by name, loaded lazily so `pocketlm tokenize` does not import the server or the data toolkit. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'generate text from a prompt', load: async () => (await import('./run.js')).runCommand },
  chat: { summary: 'interactive multi-turn chat', load: async () => (await import('./chat.js')).chatCommand },
  tokenize: {
    summary: 'print token ids as JSON',
    load: async () => (await import('./tokenize.js')).tokenizeCommand,
  },
  logits: {
    summary: "print the last position's logits",
    load: async () => (await import('./logits.js')).logitsCommand,
  },
  info: {
    summary: 'architecture, dimensions, tensors, metadata',
    load: async () => (await import('./info.js')).infoCommand,
  },
  quantize: {
    summary: 'quantize a GGUF or safetensors model',
    load: async () => (await import('./quantize.js')).quantizeCommand,
  },
  serve: {
    summary: 'OpenAI-compatible HTTP server',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  web: {
    summary: 'serve the offline chat page (threads enabled)',
    load: async () => (await import('./web.js')).webCommand,
  },
  pull: {
    summary: 'download a model from the Hugging Face hub',
    load: async () => (await import('./areas.js')).pullCommand,
  },
  models: { summary: 'list downloaded models', load: async () => (await import('./areas.js')).modelsCommand },
  index: {
    summary: 'knowledge base: add|rm|ls|stats',
    load: async () => (await import('./areas.js')).indexCommand,
  },
  search: {
    summary: 'search a knowledge base',
    load: async () => (await import('./areas.js')).searchCommand,
  },
  ask: {
    summary: 'answer from a knowledge base, with citations',
    load: async () => (await import('./areas.js')).askCommand,
  },
  eval: {
    summary: 'ppl | kld | mc | qa evaluation',
    load: async () => (await import('./areas.js')).evalCommand,
  },
  data: {
    summary: 'data toolkit: run|report|annotate|train-classifier|synth|mix',
    load: async () => (await import('./areas.js')).dataCommand,
  },
  train: {
    summary: 'train a small Phi-3 model from a YAML config',
    load: async () => (await import('./areas.js')).trainCommand,
  },
  export: {
    summary: 'export a training checkpoint to GGUF',
    load: async () => (await import('./areas.js')).exportCommand,
  },
  'train-tokenizer': {
    summary: 'train a SentencePiece-style BPE tokenizer',
    load: async () => (await import('./areas.js')).trainTokenizerCommand,
  },
  'create-random-model': {
    summary: 'write a random-weight model (tests, benchmarks)',
    load: async () => (await import('./create-random-model.js')).createRandomModelCommand,
  },
};

/** Registers more commands (other areas add theirs here). */
export function commandTable() {
  return COMMANDS;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(width)}  ${v.summary}`);
  return `usage: pocketlm <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'pocketlm <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  const verbose = rest.includes('--verbose');
  try {
    if (!entry) throw new UsageError(`unknown command "${name}" (see 'pocketlm --help')`);
    const cmd = await entry.load();
    await cmd(rest.filter((a) => a !== '--verbose'));
    return 0;
  } catch (e) {
    const err = e as Error;
    if (verbose) process.stderr.write(`${err.stack ?? err.message}\n`);
    else process.stderr.write(`pocketlm ${name}: ${err.message.split('\n')[0]}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
