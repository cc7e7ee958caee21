/**
 * Deterministic token arithmetic for the fake server. Real tokenisers differ per vendor; tests
 * need numbers they can compute by hand, so one "token" here is one whitespace-separated word.
 */

/** How many fake tokens a text has: its whitespace-separated words. */
export function countFakeTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/**
 * Splits an answer into the pieces a stream sends, one fake token each; joined, they give the
 * text back exactly (whitespace included), so streamed and plain answers are identical.
 */
export function splitIntoTokenChunks(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const leadingWhitespace = /^\s*/.exec(text)?.[0] ?? "";
  if (words.length === 0) return text === "" ? [] : [text];
  words[0] = leadingWhitespace + words[0];
  return words;
}
