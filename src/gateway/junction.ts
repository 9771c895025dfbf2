import { isAsciiAlnum } from '../guard/chars.ts';

/**
 * Characters read on each side of a junction between two texts a model reads one after the other (two messages, a
 * message and its attachment, two attachments): well beyond the longest value a detector finds together with its
 * label (a 19-digit card with separators and 卡号：, a street address).
 */
export const JUNCTION_REACH = 64;

/** [from, to) of the joined text around a junction, never cutting a run of ASCII letters and digits (up to JUNCTION_REACH more). */
export function junctionWindow(joined: string, at: number): [number, number] {
  let from = Math.max(0, at - JUNCTION_REACH);
  let to = Math.min(joined.length, at + JUNCTION_REACH);
  for (let n = 0; from > 0 && n < JUNCTION_REACH && continues(joined, from); n++) from--;
  for (let n = 0; to < joined.length && n < JUNCTION_REACH && continues(joined, to); n++) to++;
  return [from, to];
}

/** Whether a cut at `at` would split a run of ASCII letters and digits (a number, a key) or a surrogate pair. */
function continues(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c >= 0xdc00 && c <= 0xdfff) return true;
  return isAsciiAlnum(c) && isAsciiAlnum(text.charCodeAt(at - 1));
}
