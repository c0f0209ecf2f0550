// CLI entry points of the trainer: `pocketlm train`, `pocketlm export`, `pocketlm train-tokenizer` (wired by src/cli).
import { loadTrainConfig } from './config.js';
import { train } from './trainer.js';

/**
 * `pocketlm train [CONFIG.yaml] [--key value ...]`: defaults ← YAML ← flags (keys as in config.ts, `-` or `_`).
 * Resumes from OUT/checkpoint.bin when present (unless --resume false).
 */
export async function trainCommand(args: string[]): Promise<void> {
  const yamlPath = args.length && !args[0].startsWith('--') ? args[0] : undefined;
  const cfg = loadTrainConfig(yamlPath, yamlPath ? args.slice(1) : args);
  train(cfg);
}
