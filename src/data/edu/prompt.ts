// The educational-value rubric prompt (additive 0–5 points) written for pocketlm, and its response parser.
import type { ChatMessage } from '../generator.js';

/** System + user messages asking for a 0–5 additive educational score of `text` (truncated to `maxChars`). */
export function eduPrompt(text: string, maxChars = 3000): ChatMessage[] {
  const excerpt = text.length > maxChars ? `${text.slice(0, maxChars)}\n[…truncated]` : text;
  return [
    {
      role: 'system',
      content:
        'You are a careful reviewer who rates how useful web pages are for teaching children. You follow the rubric exactly.',
    },
    {
      role: 'user',
      content: `Read the extract below and decide how useful it would be for teaching school subjects from primary school up to grade school (roughly ages 6 to 14). Build the score by adding points; each point requires the previous ones:

+1 if the extract contains some information related to a school subject (science, mathematics, language, history, geography, arts, health), even if it is mixed with advertising, navigation text or unrelated material.
+1 if it explains at least one idea or fact clearly enough that a pupil could learn something from it, although it may be incomplete, disorganised or written in a complicated way.
+1 if it is suitable for classroom use and covers a topic in a coherent way, like an introduction to a subject or a simple explanation, even if it is not comprehensive or the style is not ideal for young readers.
+1 if it is well organised and focused, similar to a chapter of a good textbook or a lesson, with little irrelevant content, and written in language suitable for the age group.
+1 if it is outstanding teaching material: clear step-by-step reasoning, helpful examples or exercises, correct facts, and no distracting or inappropriate content.

Give 0 points if the page has no educational content (for example shopping, spam, adult content, gossip or pure navigation).

Extract:
"""
${excerpt}
"""

First write a short justification (at most 80 words). Then, on the last line, write exactly "Educational score: N" where N is the total points from 0 to 5.`,
    },
  ];
}

/** Parse "Educational score: N" (last occurrence wins); null when absent or out of range. */
export function parseEduScore(response: string): { score: number; justification: string } | null {
  const ms = [...response.matchAll(/educational score:\s*\**\s*([0-5])\b/gi)];
  const m = ms[ms.length - 1];
  if (!m) return null;
  return { score: Number(m[1]), justification: response.slice(0, m.index).trim() };
}
