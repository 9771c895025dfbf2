import type { RawFinding } from '../types.ts';
import { NAME_CUES } from '../data/names.ts';
import { LabelSet } from '../labels.ts';

/**
 * Chinese names written in pinyin, as English letters, passports and visa forms write them: `Zhang Wei`, `WANG XIAOMING`,
 * `Dear Li Na`, `Name: Ouyang Nana`. A surname's romanization and a given name of one or two pinyin syllables, each word
 * capitalised or in capitals; the given name may come first (`Wei Zhang`) only after a label. Evidence, one of:
 * - a label or a form of address just before it (Name:, 姓名/Name:, Dear, Mr, Ms, Dr, Prof, From:, To:, Attn:, 拼音, 英文名 …);
 * - a given name of two syllables in one word (`Xiaoming`, `Jianguo`, `Xiao-Ming`): a pinyin compound of that shape is
 *   rarely an English word, while one syllable (`Li Ning`, `He Long`, `Ma Nature`) could be anything.
 */
const SYLLABLES = new Set((
  'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha chai ' +
  'chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da ' +
  'dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei ' +
  'fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he ' +
  'hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka ' +
  'kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian ' +
  'liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ' +
  'ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou ' +
  'pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan ' +
  'que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang ' +
  'shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan ' +
  'tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang ' +
  'xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ' +
  'ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi ' +
  'zong zou zu zuan zui zun zuo').split(' '));

/** Romanized surnames: the common single ones (with lyu/lv for 吕) and the compound ones. */
export const SURNAMES = new Set((
  'wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang han feng deng ' +
  'cao peng zeng xiao tian dong yuan pan yu jiang cai jia ding wei xue ye yan lu du dai fu fan fang shi yao tan liao zou ' +
  'xiong jin hao kong bai cui kang mao qiu qin gu hou shao meng long wan duan lei qian yin yi chang qiao lai gong wen pang lan ' +
  'shen su ni ren lv lyu zhong tao cheng mo ou niu ge xing an chai zhan bao zhuang shang hong tong mu rao geng zuo bi ' +
  'ouyang situ shangguan zhuge sima murong xiahou huangfu dongfang yuwen linghu gongsun zhangsun duanmu').split(' '));

const LABEL_BEFORE = /(?:\b(?:full\s+name|name|dear|mr|mrs|ms|miss|dr|prof|professor|from|to|cc|attn|contact|applicant|passenger|author|signed|by)|拼音|英文名)\s*[.:：/]?\s*(?:name\s*[:：]\s*)?$/i;
/** Chinese labels: every name cue of the Chinese rules (持卡人：ZHANG SAN, as bank cards and passports write it). */
const CHINESE_LABELS = new LabelSet(NAME_CUES);

/** Whether a label stands just before `pos`: an English one or a form of address, or a Chinese name label and a colon. */
export function labelledAt(text: string, pos: number): boolean {
  if (LABEL_BEFORE.test(text.slice(Math.max(0, pos - 24), pos))) return true;
  let e = pos;
  while (e > 0 && pos - e < 4 && ' :：/'.includes(text[e - 1])) e--;
  return CHINESE_LABELS.endsAt(text, e, Math.max(0, e - 8));
}
// Capitalised words only: a name's two words are both capitalised, and the scan skips the rest (most of a text).
const WORD = /(?<![A-Za-z])[A-Z][A-Za-z]*(?:-[A-Za-z]+)?/g;
/** Two capitalised words a space apart somewhere in the text: without them there is nothing to look at. */
const PAIR_HINT = /(?<![A-Za-z])[A-Z][A-Za-z]* [A-Z]/;
const NEXT_WORD = / ([A-Za-z]+)(?![A-Za-z0-9_-])/y;

/** Whether a word is capitalised (Zhang) or in capitals (ZHANG): how names are written, not ordinary words. */
export function nameCase(w: string): boolean {
  const c = w.charCodeAt(0);
  if (c < 65 || c > 90) return false;
  const rest = w.slice(1).replace('-', '');
  return rest === rest.toLowerCase() || rest === rest.toUpperCase() || /^[a-z]+-[A-Z][a-z]*$/.test(w.slice(1));
}

/** How many pinyin syllables the word splits into (a hyphen may mark the cut), or 0 when it is no pinyin. */
function syllables(word: string): number {
  const w = word.toLowerCase();
  if (w.includes('-')) {
    const parts = w.split('-');
    return parts.every((p) => SYLLABLES.has(p)) ? parts.length : 0;
  }
  // The fewest syllables the word splits into, up to three (every split is tried: xian is one, xi'an is two).
  const best = new Array<number>(w.length + 1).fill(Infinity);
  best[0] = 0;
  for (let i = 1; i <= w.length; i++) {
    for (let k = Math.max(0, i - 6); k < i; k++) if (best[k] + 1 < best[i] && SYLLABLES.has(w.slice(k, i))) best[i] = best[k] + 1;
  }
  return best[w.length] <= 3 ? best[w.length] : 0;
}

export function detectPinyinNames(text: string, out: RawFinding[]): void {
  if (!PAIR_HINT.test(text)) return;
  let prev: { start: number; end: number; word: string } | null = null;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const cur = { start: m.index, end: m.index + m[0].length, word: m[0] };
    // Letters glued to digits or underscores are identifiers, not words.
    const glued = /[0-9_]/.test(text[cur.start - 1] ?? '') || /[0-9_]/.test(text[cur.end] ?? '');
    if (prev !== null && !glued && cur.start === prev.end + 1 && text[prev.end] === ' ' && nameCase(prev.word) && nameCase(cur.word)) {
      const labelled = labelledAt(text, prev.start);
      const surnameFirst = SURNAMES.has(prev.word.toLowerCase()) ? syllables(cur.word) : 0;
      const givenFirst = labelled && SURNAMES.has(cur.word.toLowerCase()) ? syllables(prev.word) : 0;
      if ((surnameFirst > 0 && surnameFirst <= 2 && (labelled || surnameFirst === 2)) || (givenFirst > 0 && givenFirst <= 2)) {
        // A given name written as two words (Zhang Xiao Ming) is taken whole.
        let end = cur.end;
        if (surnameFirst === 1) {
          NEXT_WORD.lastIndex = end;
          const next = NEXT_WORD.exec(text);
          if (next !== null && nameCase(next[1]) && syllables(next[1]) === 1) end += next[0].length;
        }
        out.push({ type: 'person_name', start: prev.start, end, score: labelled ? 0.9 : 0.8, detector: 'names.pinyin' });
        WORD.lastIndex = end;
        prev = null;
        continue;
      }
    }
    prev = glued ? null : cur;
  }
}
