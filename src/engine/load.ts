// Finds and reads a model from a path (GGUF file or Hugging Face safetensors directory) into a LoadedModel.
import { statSync } from 'node:fs';
import { openGgufModelLazy } from '../format/gguf-model.js';
import type { LoadedModel } from '../model/config.js';

/**
 * Opens a model from a GGUF file or a directory with config.json + safetensors. GGUF tensors are read lazily
 * (one at a time while the runtime prepares them); call `close()` afterwards.
 */
export async function readModel(path: string): Promise<{ model: LoadedModel; close: () => void }> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`model not found: ${path}`);
  }
  if (st.isDirectory()) {
    const hf = await import('../format/hf.js');
    return { model: hf.loadHfModel(path), close: () => {} };
  }
  return openGgufModelLazy(path);
}
