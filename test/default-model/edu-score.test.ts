// The default model's keyword edu score: worked exercises count as educational (score ≥ 3), other pages keep the keyword score.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eduScore, generateCorpus, isWorkedExercise } from '../../scripts/default-model/corpus.js';

test('isWorkedExercise: a question followed by a correct calculation step', () => {
  assert.ok(isWorkedExercise('Lily has five apples. How many? Five plus three is eight. So eight.'));
  assert.ok(isWorkedExercise('What is 12 - 5? We write 12 - 5 = 7.'));
  assert.ok(isWorkedExercise('How many are left? Seventeen take away four is thirteen.'));
  assert.ok(isWorkedExercise('How many legs? 3 × 4 = 12.'));
  // no question, the step before the question, a wrong step, no step
  assert.ok(!isWorkedExercise('Five plus three is eight. We can count on our fingers.'));
  assert.ok(!isWorkedExercise('Five plus three is eight. How many apples do you have?'));
  assert.ok(!isWorkedExercise('How many apples? Five plus three is nine.'));
  assert.ok(!isWorkedExercise('Have you ever wondered about the moon? The moon goes around the earth.'));
});

test('eduScore: generated exercises reach 3; stories, school paragraphs and noise keep the keyword score', () => {
  const { web, synthetic } = generateCorpus({ seed: 11, webDocs: 1500, syntheticDocs: 300 });
  const seen = new Set<string>();
  for (const d of [...web, ...synthetic]) {
    const k = d.metadata.kind;
    seen.add(k);
    const s = eduScore(d.text);
    assert.ok(Number.isInteger(s) && s >= 0 && s <= 5, `score ${s} out of range`);
    if (k === 'math' || k === 'exercise') {
      assert.ok(isWorkedExercise(d.text), `${d.id} not seen as a worked exercise: ${d.text}`);
      assert.ok(s >= 3, `${d.id} exercise scored ${s}`);
    } else if (k === 'story' || k === 'noise' || k === 'edu' || k === 'textbook')
      assert.ok(!isWorkedExercise(d.text), `${d.id} (${k}) seen as a worked exercise: ${d.text}`);
    if (k === 'story' || k === 'noise') assert.ok(s < 3, `${d.id} (${k}) scored ${s}`);
  }
  for (const k of ['math', 'exercise', 'story', 'edu', 'noise', 'textbook']) assert.ok(seen.has(k), k);
  // the keyword part is unchanged: a school paragraph with many school words scores high without a calculation
  assert.equal(
    eduScore(
      'Let us learn about the earth. The earth is a planet. Scientists study the sun, the moon and water. Plants grow because of the seasons. This fact is important, for example.',
    ),
    5,
  );
});
