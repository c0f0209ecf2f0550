// Shared types of the multiple-choice benchmarks: items as parsed from files, and per-item results.

/** Where a parsed item came from, for error messages and reports. */
export interface McSource {
  file: string;
  line: number;
}

/**
 * One multiple-choice question in lm-eval-harness form: the model scores `delimiter + choices[i]` after
 * the prompt built from `query` (plus description and few-shot examples).
 */
export interface McItem {
  /** Unique key within its task, used by the resume state (e.g. `abstract_algebra/test/12`). */
  id: string;
  /** Task name: `mmlu`, `arc_challenge`, `arc_easy`, `hellaswag`, … */
  task: string;
  /** Group for per-subject accuracy (MMLU subject; the task name otherwise). */
  subject: string;
  /** doc_to_text: the question part of the prompt, without few-shot examples. */
  query: string;
  /** doc_to_choice: continuation texts without the leading delimiter. */
  choices: string[];
  /** Index of the correct choice. */
  gold: number;
  source: McSource;
}

/** A benchmark ready to score: items plus optional few-shot pools and task description per subject. */
export interface McTaskData {
  task: string;
  items: McItem[];
  /** Few-shot examples per subject, taken in order (lm-eval's `first_n` sampler, as for MMLU's dev split). */
  fewshot?: Map<string, McItem[]>;
  /** Text placed before the few-shot examples, per subject (MMLU's "The following are …\n\n"). */
  description?: (subject: string) => string;
}

/** The scored outcome of one item (one line of the resume state). */
export interface McItemResult {
  task: string;
  id: string;
  subject: string;
  gold: number;
  /** Log-likelihood of each continuation (sum over its tokens). */
  lls: number[];
  /** argmax of lls (acc). */
  pred: number;
  /** argmax of lls / characters of the choice (acc_norm, lm-eval-harness). */
  predNorm: number;
  /** argmax of lls / UTF-8 bytes of the choice (acc_bytes). */
  predBytes: number;
}
