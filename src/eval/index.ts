// Public library API of the evaluation harness (portable: no node: imports; file loaders are in ./node.js).
export {
  type BaseRow,
  type Distribution,
  formatKld,
  type KldChunkStats,
  type KldOptions,
  type KldResult,
  klDivergence,
  klDivergenceCore,
  klDivergenceOfTokens,
} from './kld.js';
export { arcQuery, parseArcJsonl } from './mc/arc.js';
export { type CsvRecord, parseCsv } from './mc/csv.js';
export { hellaswagPreprocess, parseHellaswagJsonl, pyCapitalize } from './mc/hellaswag.js';
export { mmluDescription, mmluQuery, parseMmluCsv } from './mc/mmlu.js';
export {
  buildContext,
  choiceLogLikelihoods,
  continuationLogLikelihood,
  type EncodedPair,
  encodePair,
  formatMcTable,
  type McAccuracy,
  type McProgress,
  type McReport,
  type McRunOptions,
  type McStateStore,
  type McTaskReport,
  runMc,
  scoreItem,
  summarize,
} from './mc/score.js';
export type { McItem, McItemResult, McSource, McTaskData } from './mc/types.js';
export { checkLogitsShape, logProbAt, logSoftmaxRow, type ScoringModel } from './model.js';
export {
  formatPerplexity,
  type PerplexityOptions,
  type PerplexityProgress,
  type PerplexityResult,
  perplexity,
  perplexityOfTokens,
} from './perplexity.js';
export { createProgressBar, type ProgressBar, type ProgressSink } from './progress.js';
export { type Estimate, meanAndUncertainty, percentileSorted } from './stats.js';
export {
  planWindows,
  tokenizeForPerplexity,
  type WindowOptions,
  type WindowPlan,
  windowInput,
} from './windows.js';
