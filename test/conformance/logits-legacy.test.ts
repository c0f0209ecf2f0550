// Logits vs llama.cpp for the 32-element block types: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1.
import { GgmlType } from '../../src/format/ggml-types.js';
import { logitsSweep } from './logits-sweep.js';

logitsSweep([GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1]);
