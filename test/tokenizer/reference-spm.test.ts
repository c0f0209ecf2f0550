// SentencePiece (Phi-3, Llama 2) against llama.cpp on a generated corpus: ids, detokenized text, vocabulary.
import { test } from 'node:test';
import { compareCorpus, compareDetokenize, compareVocab, loadPair } from './reference.js';

test('phi-3: 2,500 generated strings tokenize exactly as llama.cpp (parseSpecial false and true)', async () => {
  const { model, tok } = await loadPair('phi-3');
  const lists = compareCorpus(model, tok, 20240611, 2500);
  compareDetokenize(model, tok, lists.slice(0, 800));
  compareVocab(model, tok);
});

test('llama-spm: 600 generated strings tokenize exactly as llama.cpp', async () => {
  const { model, tok } = await loadPair('llama-spm');
  const lists = compareCorpus(model, tok, 7, 600);
  compareDetokenize(model, tok, lists.slice(0, 300));
  compareVocab(model, tok);
});
