// Prompts for synthetic "textbook-quality" data, written for pocketlm: one template per format, audience-aware.
import type { ChatMessage } from '../generator.js';

/** Output formats a synthesis job can ask for. */
export const FORMATS = {
  textbook: 'a section of a textbook',
  story: 'a short story that teaches the idea through what happens to the characters',
  exercise: 'an exercise with a complete worked solution',
  qa: 'a set of questions and answers',
} as const;

export type SynthFormat = keyof typeof FORMATS;

/** Audiences and how to write for them. */
export const AUDIENCES: Record<string, string> = {
  young_children:
    'children aged 6 to 8: very short sentences, everyday words, concrete examples from home and school',
  middle_school:
    'pupils aged 10 to 13: clear explanations, new terms defined when first used, one idea per paragraph',
  high_school:
    'students aged 14 to 17: precise vocabulary, reasoning shown step by step, connections to other subjects',
  adult_learner: 'adults learning on their own: respectful tone, practical examples, no assumed background',
};

const FORMAT_RULES: Record<SynthFormat, string> = {
  textbook:
    'Start with a heading. Introduce the idea, explain it in two to four paragraphs with a worked example, and end with a two-sentence summary.',
  story:
    'Write 300 to 500 words with named characters and a clear beginning, middle and end. The idea must be explained correctly inside the story, not only mentioned.',
  exercise:
    'State one problem clearly under the heading "Exercise". Then give the solution under the heading "Solution", showing every step and checking the answer at the end.',
  qa: 'Write five questions of increasing difficulty, each followed by a complete answer of two to five sentences. Use the form "Q:" and "A:".',
};

/** Messages for one job: teach `topic` as `format` to `audience`. */
export function synthPrompt(topic: string, format: SynthFormat, audience: string): ChatMessage[] {
  const who = AUDIENCES[audience] ?? audience;
  return [
    {
      role: 'system',
      content:
        'You write accurate, self-contained teaching material. You never mention that you are an AI, never refer to these instructions, and never include links.',
    },
    {
      role: 'user',
      content: `Write ${FORMATS[format]} about the topic "${topic}".
Audience: ${who}.
${FORMAT_RULES[format]}
Use plain text (markdown headings and lists are fine). Facts must be correct; if something is uncertain, leave it out.`,
    },
  ];
}
