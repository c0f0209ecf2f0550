// Logits vs llama.cpp for the K-quants (Q8_K activations): Q4_K, Q5_K, Q6_K.
import { GgmlType } from '../../src/format/ggml-types.js';
import { logitsSweep } from './logits-sweep.js';

logitsSweep([GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K]);
