// Logits vs llama.cpp for F32, F16 and BF16 weights (phi3/llama, MHA/GQA, the full Phi-3 vocabulary too).
import { GgmlType } from '../../src/format/ggml-types.js';
import { logitsSweep, SWEEP_SHAPES } from './logits-sweep.js';

logitsSweep(
  [GgmlType.F32],
  [
    ...SWEEP_SHAPES,
    { label: 'llama MHA', shape: { arch: 'llama', nHead: 4, nHeadKv: 4, nVocab: 1024, embdStd: 1 } },
    // 32064 tokens: the real output matrix (row split across threads, vocabulary-sized softmax)
    { label: 'phi3 GQA 32064', shape: { arch: 'phi3', nHead: 8, nHeadKv: 2, embdStd: 1 } },
  ],
);
logitsSweep([GgmlType.F16, GgmlType.BF16]);
