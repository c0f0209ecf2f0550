// Commands provided by the other areas (data toolkit, retrieval, evaluation, training, hub), wired to the CLI.
import { UsageError } from './args.js';
import { looseArgs } from './loose-args.js';

type Command = (argv: string[]) => Promise<void>;

async function localModel(pathOrName: string | undefined, threads?: unknown) {
  const { loadModelFromArgs } = await import('./common.js');
  return loadModelFromArgs({ model: pathOrName, threads }, true);
}

/** `pocketlm data run|report|annotate|train-classifier|synth|mix ...` */
export const dataCommand: Command = async (argv) => {
  const [sub, ...rest] = argv;
  const d = await import('../data/cli.js');
  const table: Record<string, (a: ReturnType<typeof looseArgs>) => Promise<unknown>> = {
    run: d.dataRun,
    report: d.dataReport,
    annotate: d.dataAnnotate,
    'train-classifier': d.dataTrainClassifier,
    synth: d.dataSynth,
    mix: d.dataMix,
  };
  const fn = sub ? table[sub] : undefined;
  if (!fn)
    throw new UsageError(`usage: pocketlm data <${Object.keys(table).join('|')}> ... (see docs/data.md)`);
  const args = looseArgs(rest);
  // --tokenizer FILE.gguf: tokenize mixtures with a model's own tokenizer (documents end with its EOS).
  if (typeof args.tokenizer === 'string' && args.tokenizer !== 'bytes') {
    const { readGgufHeader } = await import('../format/gguf-node.js');
    const { createTokenizer } = await import('../tokenizer/tokenizer.js');
    const path = args.tokenizer;
    const tok = createTokenizer(readGgufHeader(path).header.metadata, path);
    const eos = tok.vocab.eosId;
    if (eos === null) throw new UsageError(`${path}: the tokenizer has no EOS token to separate documents`);
    args.tokenizer = {
      tokenize: (t: string) => tok.tokenize(t, { addSpecial: false, parseSpecial: false }),
      vocabSize: tok.vocab.tokens.length,
      eosId: eos,
    };
  }
  // --local MODEL: use the local engine as the judge/generator instead of an OpenAI-compatible endpoint.
  // data/cli.ts loads it once through localGenerator (prompts fitted to the model's context); here only
  // a cached model name is resolved to its file.
  if (typeof args.local === 'string') {
    const { resolveModelPath } = await import('./common.js');
    args.local = await resolveModelPath(args.local, true);
    args.model ??= args.local;
  }
  await fn(args);
};

async function ragDeps(argv: string[]) {
  const a = looseArgs(argv);
  const modelRef = (a.m ?? a.model) as string | undefined;
  const embedRef = a['embed-model'] as string | undefined;
  return {
    generator: async () => {
      const { ragGenerator } = await import('../engine/adapters.js');
      return ragGenerator(await localModel(modelRef, a.threads));
    },
    embedder: embedRef
      ? async () => {
          const e = await import('../rag/embedder.js');
          const make = (e as unknown as Record<string, unknown>).loadGgufEmbedder as
            | ((path: string) => Promise<import('../rag/embedder.js').Embedder>)
            | undefined;
          if (!make) throw new UsageError('--embed-model: GGUF embedding models are not supported yet');
          return make(embedRef);
        }
      : undefined,
  };
}

/** `pocketlm index add|rm|ls|stats ...` */
export const indexCommand: Command = async (argv) => {
  const [sub, ...rest] = argv;
  const r = await import('../rag/cli.js');
  const table: Record<string, typeof r.indexAdd> = {
    add: r.indexAdd,
    rm: r.indexRm,
    ls: r.indexLs,
    stats: r.indexStats,
  };
  const fn = sub ? table[sub] : undefined;
  if (!fn) throw new UsageError('usage: pocketlm index <add|rm|ls|stats> ... --db FILE');
  await fn(rest, await ragDeps(rest));
};

export const searchCommand: Command = async (argv) => {
  const r = await import('../rag/cli.js');
  await r.search(argv, await ragDeps(argv));
};

export const askCommand: Command = async (argv) => {
  const r = await import('../rag/cli.js');
  await r.ask(argv, await ragDeps(argv));
};

/** `pocketlm eval ppl|kld|mc|qa ...` */
export const evalCommand: Command = async (argv) => {
  const [sub, ...rest] = argv;
  if (sub === 'qa') {
    const r = (await import('../rag/cli.js')) as unknown as Record<string, unknown>;
    const fn = r.evalQa as ((a: string[], d: unknown) => Promise<void>) | undefined;
    if (!fn) throw new UsageError('pocketlm eval qa is not available in this build');
    return fn(rest, await ragDeps(rest));
  }
  const e = await import('../eval/cli.js');
  const table: Record<string, typeof e.evalPpl> = { ppl: e.evalPpl, kld: e.evalKld, mc: e.evalMc } as never;
  const fn = sub ? table[sub] : undefined;
  if (!fn) throw new UsageError('usage: pocketlm eval <ppl|kld|mc|qa> ...');
  const a = looseArgs(rest);
  const { scoringModel } = await import('../engine/adapters.js');
  // --threads/-t is for the model loader, not the harness's own flags.
  const evalArgs = rest.filter(
    (x, i) => !['--threads', '-t'].includes(x) && !['--threads', '-t'].includes(rest[i - 1] ?? ''),
  );
  await fn(evalArgs, {
    loadModel: async (ref: string) => scoringModel(await localModel(ref, a.threads ?? a.t)),
  });
};

async function trainModuleCommand(name: string, argv: string[]) {
  const t = (await import('../train/cli.js')) as unknown as Record<string, unknown>;
  const fn = t[name] as ((a: string[]) => Promise<void>) | undefined;
  if (!fn) throw new UsageError(`this build has no ${name}`);
  await fn(argv);
}

export const trainCommand: Command = (argv) => trainModuleCommand('trainCommand', argv);
export const exportCommand: Command = (argv) => trainModuleCommand('exportCommand', argv);
export const trainTokenizerCommand: Command = (argv) => trainModuleCommand('trainTokenizerCommand', argv);

export const pullCommand: Command = async (argv) => {
  const h = await import('../hub/cli.js');
  const code = await h.pullCommand(argv);
  if (code !== 0) process.exitCode = code;
};

export const modelsCommand: Command = async (argv) => {
  const h = await import('../hub/cli.js');
  const code = await h.modelsCommand(argv);
  if (code !== 0) process.exitCode = code;
};
