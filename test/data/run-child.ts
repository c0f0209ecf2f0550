// Child-process entry for the resume test: runs a pipeline config given on the command line (not a test file).
import { runPipeline } from '../../src/data/pipeline/runner.js';

const [config, runDir, workers] = process.argv.slice(2);
await runPipeline(config as string, { runDir, workers: Number(workers ?? 1), progress: false });
