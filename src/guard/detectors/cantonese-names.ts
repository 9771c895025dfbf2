import type { RawFinding } from '../types.ts';
import { labelledAt, nameCase, SURNAMES as PINYIN_SURNAMES } from './pinyin-names.ts';

/**
 * Chinese names in the Cantonese romanization of Hong Kong and Macao identity cards, bank records and English letters:
 * `CHAN Tai Man`, `Chan Tai-man`, `Mr. Wong Ka Kui`, `Peter Chan Tai-man`. A surname and a given name of one or two
 * syllables of that romanization, each word capitalised or in capitals. Evidence, one of:
 * - a label or a form of address just before it (the pinyin detector's: Name:, Dear, Mr, Ms, 姓名 …);
 * - a given name of two syllables: hyphenated (`Tai-man`) or as two words (`Tai Man`), not one syllable thrice (Ho Ho Ho).
 * Hong Kong's place names are made of the same syllables (Wong Tai Sin, Ho Man Tin, Lai Chi Kok): a known place, or
 * one followed by a word for a road, building, station or firm (Lee Kum Kee Group), is none.
 */
const SURNAMES = new Set((
  'chan wong lee cheung lau ho tsang leung ng yip tse kwok chow lam fung law mak siu yeung tang cheng chu choi kwan lui lo ' +
  'poon tam tong yu chung ma hui au yau wu fong ko kong kwong lai pang shek so szeto tsui wan yim yuen chiu chong choy fok ' +
  'hung kam kan lok luk mok ngai pun sze tai to tsoi tung yiu yung chui fan hon ip koo ku auyeung au-yeung sit ting ' +
  'chai cheuk chin chik ching chuk fu hau heung hsu kei keung kiu kuk kung kwai lim ling lung mui ngan ngo on pak pau ' +
  'sham shum sin suen sum tin tsai tso tsun tuen wai woo yam yee yin').split(' '));

const SYLLABLES = new Set((
  'ah chak chan chau che cheong cheuk cheung chi chik chin ching chiu cho choi chong chow chu chuen chuk chun chung ' +
  'fai fan fat fei fo fok fong foon fu fuk fun fung ha hai hak hang hau hei hin him hing ho hoi hok hon hong hou ' +
  'hui hung ip ka kai kam kan kang kar kau kee kei keung ki kin king kit kiu ko kok kong koon ku kuen kuk kui kun kung kwai ' +
  'kwan kwok kwong lai lam lan lap lau lei leung li lik lim lin ling lit lo lok long lui luk lun lung ma mai man mei ' +
  'miu mo mok mui mun nam ng ngai ngan ngo ngok nin oi on pak pan pang pik ping po pok pong pui pun sai sam san sau ' +
  'shan shek sheung shing shiu shu shui shun si sik sin sing siu so suen suk sum sun sung sze tai tak tam tat tim tin ' +
  'ting to tong tsan tsang tse tsing tso tsoi tsui tsun tsz tung wa wah wai wan wing wo wong woon wun yam yan yat yau ' +
  'ye yee yeuk yeung yi yim yin ying yip yiu yu yuen yuet yuk yun yung').split(' '));

/** Places of Hong Kong and Macao written in the same syllables (MTR stations, districts, villages). */
const PLACE_LIST = [
  'sheung wan', 'wan chai', 'tin hau', 'tai koo', 'sai wan ho', 'shau kei wan', 'heng fa chuen', 'chai wan', 'siu sai wan',
  'tsim sha tsui', 'yau ma tei', 'mong kok', 'sham shui po', 'cheung sha wan', 'lai chi kok', 'mei foo', 'lai king',
  'kwai fong', 'kwai hing', 'tai wo hau', 'tsuen wan', 'ho man tin', 'shek kip mei', 'kowloon tong', 'lok fu', 'wong tai sin',
  'choi hung', 'ngau tau kok', 'kwun tong', 'lam tin', 'yau tong', 'tiu keng leng', 'tseung kwan o', 'hang hau', 'po lam',
  'tung chung', 'tsing yi', 'nam cheong', 'hung hom', 'tai wai', 'sha tin', 'fo tan', 'tai po', 'tai wo', 'sheung shui',
  'lo wu', 'lok ma chau', 'wu kai sha', 'ma on shan', 'heng on', 'tai shui hang', 'shek mun', 'sha tin wai', 'che kung',
  'hin keng', 'kai tak', 'sung wong toi', 'to kwa wan', 'kam sheung', 'yuen long', 'long ping', 'tin shui wai', 'siu hong',
  'tuen mun', 'wong chuk hang', 'lei tung', 'ap lei chau', 'pok fu lam', 'tai hang', 'sai kung', 'tai o', 'mui wo',
  'peng chau', 'cheung chau', 'ma wan', 'san po kong', 'tsz wan shan', 'ngau chi wan', 'cha kwo ling', 'lei yue mun',
  'shek o', 'tai tam', 'wong nai chung', 'so kon po', 'tai kok tsui', 'sham tseng', 'tai lam', 'lau fau shan', 'ha tsuen',
  'kam tin', 'pat heung', 'ta kwu ling', 'sha tau kok', 'tai mei tuk', 'shek kong', 'ma liu shui', 'kwai chung',
  'ting kau', 'yau yat chuen', 'kowloon tsai', 'sai ying pun', 'kennedy town', 'shek tong tsui', 'tai hang tung',
  'kwai tsing', 'yau tsim mong', 'lung cheung', 'shun lee', 'on ting', 'yau oi', 'tin ping', 'wah fu',
  'lei cheng uk', 'so uk', 'pak tin', 'cheung hong', 'cheung wah', 'kwong tin', 'tai hing', 'tsui ping', 'lok wah',
  'hing wah', 'fu shin', 'wo che', 'sun chui', 'mei lam', 'chun yeung', 'hang seng', 'lee kum kee',
];
/** The places by their first word. */
const PLACES = new Map<string, string[]>();
for (const p of PLACE_LIST) {
  const first = p.slice(0, p.indexOf(' '));
  PLACES.set(first, [...(PLACES.get(first) ?? []), p]);
}

/** Whether a known place starts at `start` (its words apart by spaces or hyphens, in any case), where a name was read. */
function placeAt(text: string, start: number, surname: string): boolean {
  for (const p of PLACES.get(surname) ?? []) {
    const written = text.slice(start, start + p.length).toLowerCase().replace(/-/g, ' ');
    const after = text.charCodeAt(start + p.length);
    if (written === p && !((after >= 65 && after <= 90) || (after >= 97 && after <= 122))) return true;
  }
  return false;
}
/** What makes the words before it a place or a firm: a road, a building, a station, an estate, a company. */
const PLACE_NEXT = /^ (?:Road|Rd\.?|Street|St\.?|Lane|Path|Avenue|Terrace|Estate|Court|Garden|Gardens|Building|Bldg|House|Centre|Center|Tower|Plaza|Square|Station|Village|Bay|Hill|Park|Pier|School|College|Hospital|Clinic|Temple|Market|Restaurant|Company|Co\.?|Limited|Ltd\.?|Group|Holdings|Bank|Index|District|Town|Island|Kee|Hall|Church|Stadium|Playground|ROAD|STREET|ESTATE|BUILDING|STATION)\b/;

const WORD = /(?<![A-Za-z0-9_])[A-Z][A-Za-z]*(?:-[A-Za-z]+)?(?![A-Za-z0-9_])/g;
const PAIR_HINT = /(?<![A-Za-z])[A-Z][A-Za-z]*,? [A-Z]/;

const isSyllable = (w: string): boolean => SYLLABLES.has(w.toLowerCase());
/** A given name of two syllables in one word, cut by a hyphen (Tai-man, Ka-kui). */
const hyphenated = (w: string): boolean => {
  const cut = w.indexOf('-');
  return cut > 0 && isSyllable(w.slice(0, cut)) && isSyllable(w.slice(cut + 1));
};

interface Word { start: number; end: number; text: string }

export function detectCantoneseNames(text: string, out: RawFinding[]): void {
  if (!PAIR_HINT.test(text)) return;
  const words: Word[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) words.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  for (let i = 0; i + 1 < words.length; i++) {
    const surname = words[i];
    if (!SURNAMES.has(surname.text.toLowerCase()) || !nameCase(surname.text)) continue;
    // `CHAN, Tai Man` as forms write it: a comma may follow the surname.
    const gap = text.slice(surname.end, words[i + 1].start);
    if (gap !== ' ' && gap !== ', ') continue;
    const first = words[i + 1];
    if (!nameCase(first.text) || !(isSyllable(first.text) || hyphenated(first.text))) continue;
    let end = first.end;
    let two = hyphenated(first.text);
    const second = words[i + 2];
    if (!two && second !== undefined && text.slice(first.end, second.start) === ' ' && nameCase(second.text) && isSyllable(second.text)
      && !(i + 3 < words.length && text.slice(second.end, words[i + 3].start) === ' ' && isSyllable(words[i + 3].text))) {
      end = second.end;
      two = true;
    }
    if (placeAt(text, surname.start, surname.text.toLowerCase()) || PLACE_NEXT.test(text.slice(end, end + 12))) continue;
    const key = text.slice(surname.start, end).toLowerCase().replace(/,/g, '').replace(/-/g, ' ');
    if (two && new Set(key.split(' ')).size === 1) continue;
    const labelled = labelledAt(text, surname.start);
    if (!labelled && !two) continue;
    out.push({ type: 'person_name', start: surname.start, end, score: labelled ? 0.9 : 0.75, detector: 'names.cantonese' });
    while (i + 1 < words.length && words[i + 1].start < end) i++;
  }
}

/**
 * A romanized Chinese surname alone after an English form of address (`Dear Mr. Tsang`, `Prof. Li`, `MS. WONG`), as
 * 张先生 is read in Chinese: the surname is reported. A capitalised word after it leaves the name to the two detectors
 * of given names.
 */
const TITLED = /(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Madam|Mme|MR|MRS|MS|DR|PROF)(?:\. ?| )([A-Z][a-z]+|[A-Z]{2,})(?![A-Za-z0-9_])(?! [A-Z])/g;

export function detectTitledSurnames(text: string, out: RawFinding[]): void {
  if (!/\b(?:M[RrSsXx]|Mrs|MRS|Miss|Madam|Mme|D[Rr]|P[Rr][Oo][Ff])/.test(text)) return;
  TITLED.lastIndex = 0;
  for (let m = TITLED.exec(text); m !== null; m = TITLED.exec(text)) {
    const surname = m[1].toLowerCase();
    if (!SURNAMES.has(surname) && !PINYIN_SURNAMES.has(surname)) continue;
    const start = m.index + m[0].length - m[1].length;
    out.push({ type: 'person_name', start, end: start + m[1].length, score: 0.8, detector: 'names.titled' });
  }
}
