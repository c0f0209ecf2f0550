// WordPiece (bge) against llama.cpp on a generated corpus: ids, detokenized text, vocabulary.
import { test } from 'node:test';
import { compareCorpus, compareDetokenize, compareVocab, loadPair } from './reference.js';

test('bert-bge: 2,500 generated strings tokenize exactly as llama.cpp (parseSpecial false and true)', async () => {
  const { model, tok } = await loadPair('bert-bge');
  const lists = compareCorpus(model, tok, 1717, 2500);
  compareDetokenize(model, tok, lists.slice(0, 800));
  compareVocab(model, tok);
});
