// Finds and reads a model from a path (GGUF file or Hugging Face safetensors directory) into a LoadedModel.
import { statSync } from 'node:fs';
import { loadGgufModel } from '../format/gguf-model.js';
import { readGgufFile } from '../format/gguf-node.js';
import type { LoadedModel } from '../model/config.js';

/** Reads a model from a GGUF file or a directory with config.json + safetensors. */
export async function readModel(path: string): Promise<LoadedModel> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`model not found: ${path}`);
  }
  if (st.isDirectory()) {
    const hf = await import('../format/hf.js');
    return hf.loadHfModel(path);
  }
  return loadGgufModel(readGgufFile(path));
}
