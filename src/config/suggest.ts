/**
 * "Did you mean …?" for names typed by hand. Uses the optimal string alignment distance
 * (Levenshtein plus swapped neighbours, the most common typo), compared case-insensitively
 * so that `Needs` still finds `needs`.
 */

function editDistance(a: string, b: string): number {
  // Three rolling rows are enough: a transposition looks back two rows.
  let previousPrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (previousPrevious[j - 2] ?? 0) + 1);
      }
      current.push(best);
    }
    previousPrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Farther than this and a suggestion is more confusing than helpful. */
function maximumDistance(word: string): number {
  return Math.max(1, Math.floor(word.length / 3));
}

/** The candidate closest to `word`, or undefined when none is close enough (or `word` is one of them). */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const lowerWord = word.toLowerCase();
  const limit = maximumDistance(word);
  let best: { candidate: string; distance: number; exactCaseDistance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === word) return undefined;
    const distance = editDistance(lowerWord, candidate.toLowerCase());
    if (distance > limit) continue;
    // Ties go to the candidate that also matches the letter case best, then to the first listed.
    const exactCaseDistance = editDistance(word, candidate);
    if (
      best === undefined ||
      distance < best.distance ||
      (distance === best.distance && exactCaseDistance < best.exactCaseDistance)
    ) {
      best = { candidate, distance, exactCaseDistance };
    }
  }
  return best?.candidate;
}

/** `did you mean "collect"?`, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(word, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}
