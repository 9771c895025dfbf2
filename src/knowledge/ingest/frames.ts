import { IngestLimitError } from './limits.ts';
import { encodePng } from './png.ts';

/**
 * What an animation's later frames show, for OCR, which reads only the first frame of a file: the screen after each
 * frame (RGB, as a viewer shows it on white) is taken as a picture whenever it differs from the last picture taken —
 * the frame OCR reads counting as taken — in at least MIN_CHANGED_PIXELS pixels: a frame that only redraws what is
 * there, or moves a cursor, adds nothing to read. More than `maxPictures` pictures is an IngestLimitError: the file is
 * unread, and the department's policy decides, rather than half-read. Used for GIF (gif.ts) and APNG (apng.ts).
 */
export const MIN_CHANGED_PIXELS = 64;
/** Frames of one file decoded at most. */
export const MAX_FRAMES = 2_000;
/** Pixels decoded, and screens compared and copied, at most this many times the image pixel limit. */
export const WORK_FACTOR = 8;

export interface Screen { width: number; height: number; rgb: Uint8Array }

/**
 * `screens`: the screen after each frame, the same array changed in place; `read`: the screen OCR reads from the file
 * itself (its first frame, or the still image an animated PNG shows to viewers that do not animate it).
 */
export function laterPictures(screens: Iterable<Screen>, read: Uint8Array, maxPictures: number, kind: string): Uint8Array[] {
  const pictures: Uint8Array[] = [];
  let taken = read;
  for (const { width, height, rgb } of screens) {
    if (changed(rgb, taken) < MIN_CHANGED_PIXELS) continue;
    if (pictures.length >= maxPictures) throw new IngestLimitError(`the ${kind} shows more than ${maxPictures} different pictures`);
    pictures.push(encodePng({ width, height, channels: 3, data: rgb }));
    taken = rgb.slice();
  }
  return pictures;
}

/** Pixels that differ between two screens. */
function changed(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length / 3;
  let n = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
}

/** The bounds every animation reader checks before decoding a frame of `pixels` pixels on a screen of `screenPixels`. */
export class FrameBudget {
  readonly #maxWork: number;
  readonly #kind: string;
  #frames = 0;
  #work = 0;

  constructor(maxWork: number, kind: string) {
    this.#maxWork = maxWork;
    this.#kind = kind;
  }

  /** Count one frame; IngestLimitError when the file has too many frames or too much to decode and compare. */
  frame(pixels: number, screenPixels: number): void {
    if (++this.#frames > MAX_FRAMES) throw new IngestLimitError(`the ${this.#kind} has more than ${MAX_FRAMES} frames`);
    this.#work += pixels + screenPixels;
    if (this.#work > this.#maxWork) {
      throw new IngestLimitError(`the ${this.#kind}'s ${this.#frames} frames are more than ${this.#maxWork.toLocaleString('en')} pixels to decode and compare`);
    }
  }
}
