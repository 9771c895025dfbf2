import type { RawFinding } from '../types.ts';

/**
 * Geographic coordinates precise enough to find a building, reported as `address`: where a person lives or was (a
 * photo's GPS, a delivery app's log, a map link in a chat) says as much as a street address.
 *
 * Precise enough: decimal degrees with at least four decimals (≈ 11 m), or degrees–minutes with seconds or with
 * decimal minutes. Both halves must be there — a latitude alone locates nothing — and in range (latitude ±90,
 * longitude ±180, in either order: Chinese map APIs write `116.397155,39.916345`, longitude first).
 * Forms:
 * - a pair: `39.916345, 116.397155`, after a word for coordinates (GPS, 经纬度, 坐标, lat/lng, location=, geo:,
 *   a map link's `@` or `ll=`) or with hemisphere letters (`39.9163N 116.3972E`). `坐标`, `位置`, `coordinates`,
 *   `position` are also said of a plot's points (`坐标 (1.4142, 1.7321)`): after them one half must be 10° or more;
 * - degrees, minutes, seconds: `北纬39°54′58″, 东经116°23′49″`, `39°54'58.8"N 116°23'49.8"E`, `N39°54.980' E116°23.830'`;
 * - two labelled values, apart (JSON, a query string, a form): `"lat": 39.916345, "lng": 116.397155`, `纬度:39.9163 经度:116.3972`
 *   — each value is reported.
 */
const CUE_WORDS = /GPS|经纬|[经纬]度|[北南]纬|[东西]经|坐标|定位|位置|\b(?:lat|lng|lon|latitude|longitude|coords?|coordinates|location|loc|ll|center|position|geo|q)\b|@/gi;
/** Cues that are also said of a plot's points: after them one half must be 10° or more. */
const PLOT_CUE = /^(?:坐标|位置|coords?|coordinates|position|q)$/i;

const DEC = String.raw`([+-]?\d{1,3}\.\d{4,})`;
const HEMI = String.raw`(?:\s?°)?(?:\s?([NSEWnsew])(?![A-Za-z]))?`;
const PAIR = new RegExp(String.raw`(?<![\d.])${DEC}${HEMI}\s?[,/;\s]\s?${DEC}${HEMI}(?![\d.])`, 'g');

/** One angle in degrees and minutes, with seconds or decimal minutes; a hemisphere word or letter before or after. */
const ANGLE = String.raw`(?:([北南东西]纬|[北南东西]经|[NSEW])\s?)?(\d{1,3})\s?[°度]\s?(\d{1,2}(?:\.\d{2,})?)\s?['′’分]\s?(?:(\d{1,2}(?:\.\d+)?)\s?(?:["″”]|''|秒))?\s?([NSEW])?`;
const DMS_PAIR = new RegExp(String.raw`${ANGLE}\s?[,;/\s]?\s?${ANGLE}`, 'g');

const LAT_KEY = String.raw`(?:\b(?:lat|latitude)\b|纬度)`;
const LON_KEY = String.raw`(?:\b(?:lng|lon|long|longitude)\b|经度)`;
const VALUE = String.raw`["']?\s?[:=]\s?["']?${DEC}(?![\d.])`;
const LAT_VALUE = new RegExp(LAT_KEY + VALUE, 'gi');
const LON_VALUE = new RegExp(LON_KEY + VALUE, 'gi');
/** How far apart the two labelled values of one point may stand (a JSON object with a few fields between). */
const KEYED_REACH = 160;
/** How far before a pair its cue may stand. */
const CUE_REACH = 32;

function inRange(lat: number, lon: number): boolean {
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && (lat !== 0 || lon !== 0);
}

/** The cue nearest before `at` (within CUE_REACH), or null. */
function cueBefore(text: string, at: number): string | null {
  CUE_WORDS.lastIndex = Math.max(0, at - CUE_REACH);
  let last: string | null = null;
  for (let m = CUE_WORDS.exec(text); m !== null && m.index < at; m = CUE_WORDS.exec(text)) last = m[0];
  return last;
}

function decimalPairs(text: string, out: RawFinding[]): void {
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(text); m !== null; m = PAIR.exec(text)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const hemispheres = m[2] !== undefined && m[4] !== undefined;
    const latFirst = hemispheres && /[NSns]/.test(m[2]);
    const valid = hemispheres
      ? latFirst !== /[NSns]/.test(m[4]) && (latFirst ? inRange(a, b) : inRange(b, a))
      : inRange(a, b) || inRange(b, a);
    if (!valid) continue;
    if (!hemispheres) {
      const cue = cueBefore(text, m.index);
      if (cue === null) continue;
      if (PLOT_CUE.test(cue) && Math.abs(a) < 10 && Math.abs(b) < 10) continue;
    }
    out.push({ type: 'address', start: m.index, end: m.index + m[0].length, score: 0.9, detector: 'coordinates' });
    PAIR.lastIndex = m.index + m[0].length;
  }
}

function degreeMinuteSecondPairs(text: string, out: RawFinding[]): void {
  if (!text.includes('°') && !text.includes('度')) return;
  DMS_PAIR.lastIndex = 0;
  for (let m = DMS_PAIR.exec(text); m !== null; m = DMS_PAIR.exec(text)) {
    const precise = (minutes: string, seconds: string | undefined): boolean => seconds !== undefined || minutes.includes('.');
    const hemiA = m[1] ?? m[5];
    const hemiB = m[6] ?? m[10];
    if (!precise(m[3], m[4]) || !precise(m[8], m[9])) continue;
    const degA = Number(m[2]);
    const degB = Number(m[7]);
    const latFirst = hemiA !== undefined ? /^[NS北南]/.test(hemiA) : true;
    const ok = (hemiA !== undefined || hemiB !== undefined || cueBefore(text, m.index) !== null) &&
      (latFirst ? inRange(degA, degB) : inRange(degB, degA));
    if (!ok) continue;
    out.push({ type: 'address', start: m.index, end: m.index + m[0].trimEnd().length, score: 0.9, detector: 'coordinates' });
  }
}

function keyedValues(text: string, out: RawFinding[]): void {
  const lats: Array<[number, number, number]> = [];
  LAT_VALUE.lastIndex = 0;
  for (let m = LAT_VALUE.exec(text); m !== null; m = LAT_VALUE.exec(text)) {
    const start = m.index + m[0].length - m[1].length;
    lats.push([start, start + m[1].length, Number(m[1])]);
  }
  if (lats.length === 0) return;
  LON_VALUE.lastIndex = 0;
  // Both lists are in text order: the latitudes within reach of a longitude are a window that only moves forward.
  let first = 0;
  for (let m = LON_VALUE.exec(text); m !== null; m = LON_VALUE.exec(text)) {
    const start = m.index + m[0].length - m[1].length;
    const lon = Number(m[1]);
    while (first < lats.length && lats[first][0] < start - KEYED_REACH) first++;
    let lat: [number, number, number] | undefined;
    for (let k = first; k < lats.length && lats[k][0] <= start + KEYED_REACH; k++) {
      const l = lats[k];
      if (inRange(l[2], lon) && (lat === undefined || Math.abs(l[0] - start) < Math.abs(lat[0] - start))) lat = l;
    }
    if (lat === undefined) continue;
    out.push({ type: 'address', start: lat[0], end: lat[1], score: 0.9, detector: 'coordinates' });
    out.push({ type: 'address', start, end: start + m[1].length, score: 0.9, detector: 'coordinates' });
  }
}

/** Cheap test first: nearly every text has neither a long decimal nor a degree sign. */
const ANY = /\d\.\d{4}|\d\s?[°度]\s?\d/;

export function detectCoordinates(text: string, out: RawFinding[]): void {
  if (!ANY.test(text)) return;
  const from = out.length;
  decimalPairs(text, out);
  degreeMinuteSecondPairs(text, out);
  keyedValues(text, out);
  // The same value may be found as a pair and as a labelled value: keep the first finding of each span.
  const seen = new Set<string>();
  const found = out.splice(from).filter((f) => !seen.has(`${f.start}:${f.end}`) && seen.add(`${f.start}:${f.end}`));
  for (const f of found) out.push(f);
}
