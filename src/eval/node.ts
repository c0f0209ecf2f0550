// Node-only part of the evaluation API: benchmark loaders from disk, the JSONL resume state, and the commands.

export { EVAL_USAGE, type EvalCliDeps, evalKld, evalMc, evalPpl } from './cli.js';
export * from './index.js';
export {
  type JsonlLoadOptions,
  jsonlStateStore,
  loadArc,
  loadHellaswag,
  loadMmlu,
  type MmluLoadOptions,
} from './mc/load-node.js';
