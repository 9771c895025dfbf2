import type { RawFinding } from '../types.ts';

/**
 * Street addresses written in English, as bilingual forms, visas, invoices and mail write Chinese ones:
 * `Room 1203, Block A, No. 88 Jianguo Road, Chaoyang District, Beijing 100022`, `88 Jianguo Rd., Chaoyang Dist.`,
 * `Jianguo Road No. 88`. The anchor is a road with its house number (a road alone, `Nanjing Road`, is a place anyone may
 * name); the address takes in the room, floor, building and estate before it and the district, city, province, postcode
 * and country after it, segment by segment between commas.
 */
const ROAD_WORD = '(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Highway|Hwy|Drive|Dr|Way|Alley|Lu|Jie|Dajie|Dadao|Hutong)';
const NAME_WORDS = "(?:[A-Z][A-Za-z'-]*\\.?\\s+){0,3}[A-Z][A-Za-z'-]*";
const SIDE = '(?:\\s+(?:East|West|South|North|Middle|E|W|S|N)\\.?)?';
/** `No. 88 Jianguo Road`, `88 Jianguo Rd.`, `Jianguo Road No. 88`, `1 Matheson Street`. */
const STREET = new RegExp(
  `(?:No\\.?\\s*)?\\d+[A-Za-z]?(?:-\\d+)?,?\\s+${NAME_WORDS}\\s+${ROAD_WORD}\\b\\.?${SIDE}` +
  `|${NAME_WORDS}\\s+${ROAD_WORD}\\b\\.?${SIDE},?\\s+No\\.?\\s*\\d+[A-Za-z]?`,
  'g',
);
/** What may come before the street, one comma-separated segment at a time (walked backwards). */
const BEFORE = new RegExp(
  '(?<![A-Za-z])(?:(?:Room|Rm|Flat|Unit|Suite|Apt|Apartment|Block|Blk|Building|Bldg|Tower|Floor|Fl|Gate|Entrance)\\.?\\s*[A-Za-z]?\\d*[A-Za-z]?(?:-\\d+)?' +
  '|\\d+(?:/F|F|th Floor|st Floor|nd Floor|rd Floor)' +
  `|${NAME_WORDS}\\s+(?:Plaza|Center|Centre|Building|Mansion|Garden|Gardens|Tower|Towers|Park|Square|Estate|Court|Village|Residence|Apartments|Community|Compound|Complex)` +
  ')\\s*,\\s*$',
);
/** What may come after it. */
const CITY = "(?:Beijing|Shanghai|Tianjin|Chongqing|Guangzhou|Shenzhen|Hangzhou|Nanjing|Wuhan|Chengdu|Xi'an|Suzhou|Hong Kong|Macau|Macao|Kowloon|(?:P\\.?\\s?R\\.?\\s?)?China)";
const AFTER = new RegExp(
  `^\\s*,?\\s*(?:${NAME_WORDS}\\s+(?:District|Dist\\.?|County|City|Province|Prov\\.?|Town|Township|Village|New Area|Zone|Subdistrict)` +
  // A neighbourhood is taken in only before a city (Causeway Bay, Hong Kong).
  `|${CITY}|${NAME_WORDS}(?=\\s*,\\s*${CITY})|\\d{6})(?![A-Za-z])`,
);
/** A road word as a word somewhere in the text: without one there is no street to anchor on. */
const ROAD_HINT = new RegExp(`\\b${ROAD_WORD}\\b`);

export function detectEnglishAddresses(text: string, out: RawFinding[]): void {
  if (!ROAD_HINT.test(text)) return;
  STREET.lastIndex = 0;
  for (let m = STREET.exec(text); m !== null; m = STREET.exec(text)) {
    let start = m.index;
    let end = m.index + m[0].length;
    // Back over the room, floor, building and estate before it: each segment ends in a comma just before `start`.
    for (let n = 0; n < 6; n++) {
      const head = text.slice(Math.max(0, start - 60), start);
      const b = BEFORE.exec(head);
      if (b === null || b[0].trim().length <= 1) break;
      start -= b[0].length;
    }
    // On over the district, city, province, postcode and country after it.
    for (let n = 0; n < 8; n++) {
      const a = AFTER.exec(text.slice(end, end + 60));
      if (a === null) break;
      end += a[0].length;
    }
    out.push({ type: 'address', start, end, score: 0.85, detector: 'address.en' });
    STREET.lastIndex = end;
  }
}
