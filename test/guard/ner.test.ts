import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createGuard } from '../../src/guard/index.ts';
import type { Finding } from '../../src/guard/index.ts';
import { NER_MODEL_FILE, SHAPE_OK, candidateWindows, defaultNerModel, nameShape } from '../../src/guard/detectors/ner.ts';
import { allowed, decode, decodeModel, emissions, emissionsOf, emissionsSimd, encodeModel, GATE_PAIRS, maskedTransitions, PairSet, modelLayout, pack, ROWS, WMAX } from '../../src/guard/ner/model.ts';
import { NT, O, prepare, stringHash } from '../../src/guard/ner/features.ts';
import { Lexicon } from '../../src/guard/ner/lexicon.ts';
import { BLOCK, rowSummer } from '../../src/guard/ner/simd.ts';
import { STREET_LEVEL } from '../../src/guard/ner/street.ts';
import { mulberry32 } from '../helpers/random.ts';

const guard = createGuard();
const rulesOnly = createGuard({ tagger: false });

function found(text: string, type: Finding['type'], g = guard): string[] {
  return g.scan(text).findings.filter((f) => f.type === type).map((f) => text.slice(f.start, f.end));
}

test('names in running news text: titles before, speech verbs after, no cue at all', () => {
  assert.deepEqual(found('深圳发展银行副行长朱琦表示，明年将继续扩大贷款规模。', 'person_name'), ['朱琦']);
  assert.deepEqual(found('（记者陈思武）昨天下午，市政府召开新闻发布会。', 'person_name'), ['陈思武']);
  assert.deepEqual(found('林采宜表示，人民币汇率总体稳定。', 'person_name'), ['林采宜']);
  assert.ok(found('俄罗斯总统助理沙波什尼科夫说，双方将继续对话。', 'person_name').includes('沙波什尼科夫'));
});

test('an organisation before a title is not a name (the rules alone took 展银行 and 公室 out of it)', () => {
  const text = '深圳发展银行副行长出席了会议，办公室主任作了报告。';
  assert.deepEqual(found(text, 'person_name'), []);
  assert.ok(found(text, 'person_name', rulesOnly).length > 0, 'the rules alone flag an organisation tail here');
  assert.deepEqual(found('北京市福利彩票发行中心今天发布公告。', 'person_name'), []);
  assert.deepEqual(found('北京市福利彩票发行中心今天发布公告。', 'address'), []);
});

test('bare cities and provinces are not addresses; a street address is', () => {
  assert.deepEqual(found('他去年从北京调到上海，又去了广东省。', 'address'), []);
  assert.deepEqual(found('重庆别称山城，北京颐和园是皇家园林。', 'address'), []);
  assert.deepEqual(found('请寄到北京市海淀区中关村大街27号1101室，谢谢。', 'address'), ['北京市海淀区中关村大街27号1101室']);
});

test('a department dictionary still wins over the tagger', () => {
  const g = createGuard({ customTerms: [{ term: '朱琦', label: '客户' }] });
  const r = g.scan('副行长朱琦表示同意。');
  assert.deepEqual(r.findings.map((f) => [f.type, f.label]), [['custom_term', '客户']]);
});

test('the tagger marks its findings, the rules theirs', () => {
  const r = guard.scan('姓名：张伟。林采宜表示同意。');
  const by = Object.fromEntries(r.findings.map((f) => [f.detector, f.type]));
  assert.equal(by['names.label'], 'person_name');
  assert.equal(by.ner, 'person_name');
});

test('hostile input: long runs of surname characters, text edges, surrogate pairs', () => {
  for (const text of ['王', '王李', '王'.repeat(5000), '😀王小明😀说', `${'斯'.repeat(3000)}说`, '路'.repeat(2000) + '1号']) {
    const r = guard.scan(text);
    for (const f of r.findings) {
      assert.ok(f.start >= 0 && f.end <= text.length && f.start < f.end, JSON.stringify(f));
      assert.ok(!/[\udc00-\udfff]/.test(text[f.start]), 'a finding never starts inside a surrogate pair');
    }
  }
});

test('the model file round-trips through encode/decode', () => {
  const bytes = gunzipSync(readFileSync(NER_MODEL_FILE));
  const m = decodeModel(bytes);
  assert.deepEqual(Buffer.from(encodeModel(m)), bytes);
  const broken = Buffer.from(bytes);
  broken[0] ^= 1;
  assert.throws(() => decodeModel(broken), /not a Yumen NER model/);
});

test('training is reproducible: same data and seed, same model file byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yumen-ner-'));
  try {
    const data = join(dir, 'tiny.jsonl');
    const lines = [
      { text: '记者王小明报道，李华表示同意。', entities: [{ start: 2, end: 5, type: 'PER' }, { start: 8, end: 10, type: 'PER' }] },
      { text: '家住朝阳区建国路88号的张伟说。', entities: [{ start: 2, end: 11, type: 'LOC' }, { start: 12, end: 14, type: 'PER' }] },
      { text: '深圳发展银行副行长朱琦出席。', entities: [{ start: 0, end: 6, type: 'ORG' }, { start: 9, end: 11, type: 'PER' }] },
    ];
    writeFileSync(data, lines.map((l) => JSON.stringify(l)).join('\n'));
    const script = join(import.meta.dirname, '../../bench/train-ner.ts');
    const outs = ['a.bin', 'b.bin', 'c.bin'].map((f) => join(dir, f));
    const run = (out: string, seed: string): void => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--only-extra', '--extra', data, '--generated', '5',
        '--epochs', '2', '--seed', seed, '--quiet', '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    run(outs[0], '7');
    run(outs[1], '7');
    run(outs[2], '8');
    assert.deepEqual(readFileSync(outs[0]), readFileSync(outs[1]));
    assert.notDeepEqual(readFileSync(outs[0]), readFileSync(outs[2]), 'the seed matters');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('four single digits are a dental formula, not an IP address, unless labelled', () => {
  assert.deepEqual(found('牠们的齿式是：上颚1-3.1.4.2；下颚3.1.4.2-3。', 'ip_address'), []);
  assert.deepEqual(found('网关 IP：1.1.1.1，备用 8.8.4.4', 'ip_address'), ['1.1.1.1', '8.8.4.4']);
});

test('a figurative road is not an address (丝绸之路, 复兴之路); a street with a number still is', () => {
  assert.deepEqual(found('请用三句话介绍玉门关的历史沿革，以及它在丝绸之路上的地位。', 'address'), []);
  assert.deepEqual(found('这是一条民族复兴之路。', 'address'), []);
  assert.ok(found('请把材料寄到北京市海淀区中关村南大街5号。', 'address').length > 0);
});

test('a name list printed without separators (名单) comes apart into its names', () => {
  assert.deepEqual(found('主任委员：江泽民委员：李鹏乔石李瑞环彭真朱镕基刘华清胡锦涛', 'person_name'),
    ['江泽民', '李鹏', '乔石', '李瑞环', '彭真', '朱镕基', '刘华清', '胡锦涛']);
});

test('what follows or precedes a span can make it a language, a currency or a title-bearing name', () => {
  assert.deepEqual(found('艾努语的语法近似于维吾尔语。', 'person_name'), []);
  assert.deepEqual(found('硬币面额为5迪拉姆、10迪拉姆。', 'person_name'), []);
  assert.deepEqual(found('张伟市长表示，明年继续推进。', 'person_name'), ['张伟'], 'a title starting with 市 keeps the name');
});

test('street level: transliterations holding 路, metro lines and bare districts are not addresses', () => {
  assert.deepEqual(found('以色列内阁批准耶路撒冷扩建计划。', 'address'), []);
  assert.deepEqual(found('呼家楼站是北京地铁10号线的一座车站。', 'address'), []);
  assert.deepEqual(found('会议在北京市海淀区召开。', 'address'), []);
  assert.ok(STREET_LEVEL.test('汉口界限路') && STREET_LEVEL.test('中关村大街２７号') && STREET_LEVEL.test('王桥村'));
  for (const place of ['耶路撒冷', '塞浦路斯', '俾路支省', '京沪高速铁路', '川藏公路', '丝绸之路', '东方红一号', '北京地铁10号线']) {
    assert.equal(STREET_LEVEL.test(place), false, place);
  }
});

test('a village named by the tagger\'s chain of places is an address, the person beside it a name', () => {
  const r = guard.scan('家住湖北松滋市庆贺寺乡吴家包村的孙威锋说。');
  const text = '家住湖北松滋市庆贺寺乡吴家包村的孙威锋说。';
  assert.deepEqual(r.findings.map((f) => [f.type, text.slice(f.start, f.end)]),
    [['address', '湖北松滋市庆贺寺乡吴家包村'], ['person_name', '孙威锋']]);
});

test('Viterbi decoding finds the best allowed tag sequence (checked against every sequence of short inputs)', () => {
  const random = mulberry32(7);
  const tags = new Uint8Array(8);
  const score = new Float64Array(8 * NT);
  const back = new Uint8Array(8 * NT);
  for (let round = 0; round < 60; round++) {
    const n = 1 + (round % 4);
    // Small integers, so that ties between paths happen too.
    const e = Float64Array.from({ length: n * NT }, () => Math.floor(random() * 7) - 3);
    const start = Array.from({ length: NT }, () => Math.floor(random() * 5) - 2);
    const trans = Array.from({ length: NT * NT }, () => Math.floor(random() * 5) - 2);
    decode(e, n, start, maskedTransitions(trans), score, back, tags);
    let best = -Infinity;
    let bestSeq: number[] = [];
    const seq: number[] = [];
    const visit = (i: number, total: number): void => {
      if (i === n) {
        if (total > best) { best = total; bestSeq = [...seq]; }
        return;
      }
      for (let t = 0; t < NT; t++) {
        if (i === 0 ? t !== O && (t & 1) === 0 : !allowed(seq[i - 1], t)) continue;
        seq.push(t);
        visit(i + 1, total + e[i * NT + t] + (i === 0 ? start[t] : trans[seq[i - 1] * NT + t]));
        seq.pop();
      }
    };
    visit(0, 0);
    let got = 0;
    for (let i = 0; i < n; i++) got += e[i * NT + tags[i]] + (i === 0 ? start[tags[i]] : trans[tags[i - 1] * NT + tags[i]]);
    assert.equal(got, best, `round ${round}: ${[...tags.subarray(0, n)]} scores ${got}, best ${bestSeq} scores ${best}`);
    for (let i = 1; i < n; i++) assert.ok(allowed(tags[i - 1], tags[i]), `round ${round}: ${tags[i - 1]} → ${tags[i]} is not allowed`);
  }
});

test('packed emissions equal the plain sums of the weights, whatever the weights (within ±WMAX)', () => {
  const random = mulberry32(7);
  const model = defaultNerModel();
  const l = modelLayout(model);
  const weights = new Int8Array(model.weights.length);
  for (let i = 0; i < weights.length; i++) if (random() < 0.02) weights[i] = Math.round((random() * 2 - 1) * WMAX);
  for (const edge of [WMAX, -WMAX]) weights.fill(edge, 0, NT * 40); // the extremes, on the rows of frequent characters
  const bias = Int32Array.from({ length: NT }, () => Math.round(random() * 200 - 100));
  const text = '深圳发展银行副行长朱琦表示，请寄到北京市海淀区中关村大街27号1101室。的的的的';
  const n = text.length;
  const packed = new Float64Array(n * NT);
  const plain = new Float64Array(n * NT);
  const rows = new Int32Array(n * ROWS);
  emissions(pack(weights), bias, l, prepare(text, 0, n, model.vocab, model.bits, model.lexicon), n, packed, rows);
  emissionsOf(Float64Array.from(weights), Float64Array.from(bias), l, prepare(text, 0, n, model.vocab, model.bits, model.lexicon), n, plain, rows);
  assert.deepEqual([...packed], [...plain]);
});

test('the SIMD row sums equal the JavaScript ones, across blocks and at the weights\' extremes', () => {
  const random = mulberry32(11);
  const model = defaultNerModel();
  assert.ok(model.summer, 'Node 20 has WebAssembly SIMD: the shipped model sums its rows there');
  const l = modelLayout(model);
  const weights = new Int8Array(model.weights.length);
  for (let i = 0; i < weights.length; i++) if (random() < 0.05) weights[i] = Math.round((random() * 2 - 1) * WMAX);
  weights.fill(WMAX, 0, NT * 40);
  weights.fill(-WMAX, NT * 40, NT * 80);
  const summer = rowSummer(pack(weights), ROWS)!;
  const bias = Int32Array.from({ length: NT }, () => Math.round(random() * 200 - 100));
  // Longer than two blocks, so that the last block is a partial one.
  const text = '深圳发展银行副行长朱琦表示，请寄到北京市海淀区中关村大街27号1101室。'.repeat(70);
  const n = text.length;
  assert.ok(n > 2 * BLOCK);
  const js = new Float64Array(n * NT);
  const simd = new Float64Array(n * NT);
  emissions(pack(weights), bias, l, prepare(text, 0, n, model.vocab, model.bits, model.lexicon), n, js, new Int32Array(n * ROWS));
  emissionsSimd(summer, bias, l, prepare(text, 0, n, model.vocab, model.bits, model.lexicon), n, simd);
  assert.deepEqual([...simd], [...js]);
  assert.throws(() => summer.sum(BLOCK + 1), RangeError);
});

test('the word lists: lookups by hash, absent strings in no list, and a corrupt model refused', () => {
  const lex = new Lexicon(4);
  lex.add(stringHash('张伟', 0, 2), 2);
  lex.add(stringHash('张伟', 0, 2), 1);
  assert.equal(lex.lookup(stringHash('张伟', 0, 2)), 3);
  assert.equal(lex.lookup(stringHash('李伟', 0, 2)), 0);
  for (let i = 0; i < 15; i++) lex.add(i * 977 + 12345, 1);
  assert.throws(() => lex.add(999_999, 1), /full/);
  const bytes = gunzipSync(readFileSync(NER_MODEL_FILE));
  assert.throws(() => decodeModel(bytes.subarray(0, bytes.length - 3)), /corrupt/);
});

test('the gate: a surname character opens a window only before what can follow it in a name', () => {
  const model = defaultNerModel();
  for (let c = 0; c < 65536; c++) assert.ok(model.gate[c] <= GATE_PAIRS, `gate kind of ${c}`);
  for (let i = 1; i < model.gatePairs.length; i++) assert.ok(model.gatePairs[i - 1] < model.gatePairs[i], 'pairs ascending');
  const covered = (text: string): number => candidateWindows(text, model).reduce((n, [s, e]) => n + e - s, 0);
  // A request with no name in it: most of it is never tagged (before the pairs, every character was).
  const prompt = '请用三句话介绍玉门关的历史沿革，以及它在丝绸之路上的地位。请注意语言简洁，适合放在旅游宣传册上。';
  assert.ok(covered(prompt) < prompt.length * 0.75, `${covered(prompt)} of ${prompt.length} characters in windows`);
  assert.equal(covered('我们上的课很有意思。'), 0, '上的 starts no name');
  assert.ok(covered('我们找张伟谈了谈。') > 0, '张伟 may');
  // A road after 之, 公 or 铁 is no street (street.ts), so it opens no address window; 建国路 does.
  assert.equal(covered('丝绸之路'), 0);
  assert.equal(covered('京藏公路'), 0);
  assert.ok(covered('建国路') > 0);
  // The windows come out ascending and apart, whatever order the cues open them in (an address window reaches
  // back over a name's).
  const random = mulberry32(11);
  const alphabet = '张王李伟建兵表示说路村大道号记者局长的了是在有和人们我上介绍历史，。（）1';
  for (let k = 0; k < 300; k++) {
    let text = '';
    const n = 1 + Math.floor(random() * 120);
    for (let i = 0; i < n; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    const ws = candidateWindows(text, model);
    for (let i = 0; i < ws.length; i++) {
      assert.ok(ws[i][0] >= 0 && ws[i][0] < ws[i][1] && ws[i][1] <= text.length, JSON.stringify({ text, ws }));
      if (i > 0) assert.ok(ws[i][0] > ws[i - 1][1] + 4, JSON.stringify({ text, ws }));
    }
  }
});

test('nothing inside a rule address with a house number opens a window; the text around it still does', () => {
  const model = defaultNerModel();
  const text = '请寄给张伟，住址北京市朝阳区建国路88号3单元502室，谢谢。';
  const address = rulesOnly.scan(text).findings.find((f) => f.type === 'address')!;
  assert.equal(text.slice(address.start, address.end), '北京市朝阳区建国路88号3单元502室');
  const rule = { type: 'address' as const, start: address.start, end: address.end, score: address.score, detector: 'address.number' };
  const windows = candidateWindows(text, model, [rule]);
  assert.ok(windows.some(([s, e]) => s <= text.indexOf('张伟') && e >= text.indexOf('张伟') + 2), JSON.stringify(windows));
  for (const [s, e] of windows) assert.ok(e <= address.start + 4 || s >= address.end, `window ${text.slice(s, e)} reaches into the address`);
  // Without the rule finding, 建国路 opens one.
  assert.ok(candidateWindows(text, model).some(([s, e]) => s < text.indexOf('建国路') && e > text.indexOf('建国路')));
  // And the scan's findings are the same as the tagger's over the whole text would give: the address, the name.
  assert.deepEqual(found(text, 'address'), ['北京市朝阳区建国路88号3单元502室']);
  assert.deepEqual(found(text, 'person_name'), ['张伟']);
});

test('a title before or a speech verb after opens a window whatever the surname (施建兵, 车继轩说)', () => {
  const model = defaultNerModel();
  const inside = (text: string, word: string): boolean => {
    const at = text.indexOf(word);
    return candidateWindows(text, model).some(([s, e]) => s <= at && at + word.length <= e);
  };
  assert.ok(inside('昨天车继轩说他三次被扣。', '车继轩'));
  // Only ideographs can be a name before the verb: after digits or punctuation no window opens.
  assert.deepEqual(candidateWindows('13812345678。告诉他', model), []);
  assert.deepEqual(candidateWindows('车继轩说', model), [[0, 4]]);
  assert.ok(inside('城市规划管理局局长眭录明因病住院。', '眭录明'));
  assert.ok(found('一批业主向记者反映：车继轩说他三次被扣的酒没返还。', 'person_name').includes('车继轩'));
});

test('a gate kind the scanner does not know is a corrupt model', () => {
  const model = defaultNerModel();
  let gates = 0;
  for (let c = 0; c < 65536; c++) if (model.gate[c] !== 0) gates++;
  // Without pairs and word lists the file ends: u32 gates · gates × (u16, u8 kind) · u32 0 · u32 0.
  const bytes = encodeModel({ ...model, gatePairs: new Uint32Array(0), lexHashes: new Uint32Array(0), lexLists: new Uint8Array(0) });
  assert.equal(decodeModel(bytes).gatePairs.length, 0);
  const broken = Uint8Array.from(bytes);
  broken[bytes.length - 8 - 3 * gates + 2] = 9;
  assert.throws(() => decodeModel(broken), /corrupt \(gate\)/);
});

test('a name-like item of a list beside a place is a place (模里西斯); a common surname\'s name in a list is still a name', () => {
  assert.deepEqual(found('分布于印度洋-西太平洋区，包括东非、马达加斯加、模里西斯、塞席尔群岛、马尔地夫、红海。', 'person_name'), []);
  assert.deepEqual(found('出席会议的有张伟、李娜、王芳。', 'person_name'), ['张伟', '李娜', '王芳']);
});

test('a surname alone is a name when the tagger finds it before a title or 某 (吴先生, 李老师), not before 氏 or 老', () => {
  assert.deepEqual(found('还对吴先生出言不逊。', 'person_name'), ['吴']);
  assert.deepEqual(found('经济犯罪的邹某枪杀了他。', 'person_name'), ['邹']);
  assert.deepEqual(found('据《李氏族谱》记载。', 'person_name'), []);
  assert.deepEqual(found('卡通人物米老鼠和唐老鸭闻名。', 'person_name'), []);
  assert.deepEqual(found('请在三天内回复。', 'person_name'), [], 'a character alone is never a name without them');
});

test('what one goes to, settles in or lies in is a place, not a person (逃到斯巴达, 赶往弗兰肯豪森)', () => {
  assert.deepEqual(found('他在被控亵渎罪之后，逃到斯巴达。', 'person_name'), []);
  assert.deepEqual(found('各地农民赶往弗兰肯豪森，城镇人满为患。', 'person_name'), []);
  assert.deepEqual(found('张伟前往北京出差。', 'person_name'), ['张伟'], 'the name before the verb is still one');
});

test('one sense per text: a string the text shows as a place is no name elsewhere in it (迁往谢尔 … 今天谢尔)', () => {
  assert.deepEqual(found('工厂陆续迁往谢尔。今天谢尔已放弃成为都市的计划。', 'person_name'), []);
  assert.deepEqual(found('布兰特位于罗纳河畔，今天布兰特拥有很多工厂。', 'person_name'), [], 'what lies somewhere (位于) is a place');
  assert.deepEqual(found('他和张伟是好朋友，张伟是北京人。', 'person_name'), ['张伟', '张伟'], 'a name found twice stays a name');
  assert.deepEqual(found('硬币面额为10迪拉姆。后来迪拉姆纸币也发行了。', 'person_name'), [],
    'rejected once (counted by a number), kept once: as often rejected as kept is no name');
});

test('a catalogue number with a letter after a span makes it an object, not a person (格利泽876c); a date does not', () => {
  assert.deepEqual(found('天文学家认为，格利泽876c距其母星很近。', 'person_name'), []);
  assert.deepEqual(found('克林顿１２日在白宫表示，将继续谈判。', 'person_name'), ['克林顿']);
});

test('"X is the second town / another city" makes X a place (马尔顿是第2大镇); "X is a Beijinger" does not', () => {
  assert.deepEqual(found('以人口计算，马尔顿是第2大镇，斯特林则是另一城市；', 'person_name'), []);
  assert.deepEqual(found('以人口计算，伯尔尼是瑞士事实上的首都。', 'person_name'), []);
  assert.deepEqual(found('记者王小明是第一个到的。', 'person_name'), ['王小明']);
});

test('a kinship word the tagger reads into a name is left out of it (伯父钟二理 → 钟二理)', () => {
  assert.deepEqual(found('因为伯父钟二理无子嗣，所以过继给他。', 'person_name'), ['钟二理']);
  assert.deepEqual(found('他的伯父钟明理无子嗣。', 'person_name'), ['钟明']);
});

test('a long span that took in a place word is no name (霍尔维克海渊); a list item beside a street is a street\'s name', () => {
  assert.deepEqual(found('最深处叫霍尔维克海渊，深一万米。', 'person_name'), []);
  assert.deepEqual(found('舰队以及达达尼尔上的堡垒都交给了英军。', 'person_name'), [], 'what stands on it (上的) is a place\'s');
  assert.deepEqual(found('经过皇后街、秀茂坪道、景林路。', 'person_name'), []);
});

test('a whole item of a list of places is a place when places are not fewer than names in the list', () => {
  assert.deepEqual(found('该地区包括：斯韦阿兰、内尔彻、南曼兰、乌普兰。', 'person_name'), []);
  assert.deepEqual(found('分布于：沙河镇、莱州站、朱桥站、招远站。', 'person_name'), []);
  assert.deepEqual(found('张家口下辖蔚县、涿鹿、康保、沽源、张北、崇礼、赤城等县。', 'person_name'), [],
    'a common surname\'s short "name" among two places or more, and more places than names');
  assert.deepEqual(found('出席会议的有张伟、李娜、王芳。', 'person_name'), ['张伟', '李娜', '王芳']);
});

test('a social-media handle opens a window for the tagger whatever its characters (//@童钢:, //@施建钢：)', () => {
  assert.deepEqual(found('转发微博//@童钢:这个问题要问清楚', 'person_name'), ['童钢']);
  assert.deepEqual(found('//@施建钢：支持一下', 'person_name'), ['施建钢']);
  assert.ok(candidateWindows('转发微博//@童钢:这个问题要问清楚', defaultNerModel()).some(([s, e]) => s <= 7 && e >= 9));
});

test('a road whose 路 could also start a name still opens an address window (在韶山路采访)', () => {
  assert.deepEqual(found('在韶山路采访时，一位中年妇女说。', 'address'), ['韶山路']);
});

test('buildings and estates open address windows (保利大厦, 翠湖花园)', () => {
  assert.deepEqual(found('演出今天在保利大厦举行。', 'address'), ['保利大厦']);
  assert.deepEqual(found('他家住在翠湖花园，离单位不远。', 'address'), ['翠湖花园']);
});

test('a length of road is no address (几公里山路); a title in 《》 is no place (《塞弗勒小路》); 三里屯路１２号 is', () => {
  assert.deepEqual(found('镇长赶了几公里山路来看望我们。', 'address'), []);
  assert.deepEqual(found('油画《塞弗勒小路》不翼而飞。', 'address'), []);
  assert.deepEqual(found('他家住在三里屯路１２号。', 'address'), ['三里屯路１２号']);
});

test('a place one sends envoys to, attacks or returns to is no person (通使乌孙); a person\'s home is (回到张伟家里)', () => {
  assert.deepEqual(found('汉朝派使节通使乌孙，后来又招请乌孙迁回。', 'person_name'), []);
  assert.deepEqual(found('他回到张伟家里。', 'person_name'), ['张伟']);
  assert.deepEqual(found('他回到张伟身边。', 'person_name'), ['张伟']);
  assert.deepEqual(found('他路过张伟的店门口，进去坐了坐。', 'person_name'), ['张伟'], 'a possessive after it: a person\'s shop');
});

test('a two-character span ending in 代 is an era, not a name (唐代诗人杜甫)', () => {
  assert.deepEqual(found('此诗为唐代诗人杜甫所作。', 'person_name'), ['杜甫']);
  assert.deepEqual(found('伟大的浪漫主义诗人是唐代的李白。', 'person_name'), ['李白']);
});

test('村 after a determiner (各村) or in 度假村 ends no village; 杨箕村 is one', () => {
  assert.deepEqual(found('农经站对村账目审查，月底各村向村民以书面形式公布。', 'address'), []);
  assert.deepEqual(found('岸边兴建的豪华度假村，原本想让客人出门就下海。', 'address'), []);
  assert.deepEqual(found('他家住在西北的共和村，北邻杨箕村。', 'address'), ['杨箕村']);
});

test('a country is never a name (卢旺达、布隆迪, 代表苏格兰上阵, 汤加因日界线东移)', () => {
  assert.deepEqual(found('卢旺达、布隆迪、苏丹南部和坦桑尼亚都受到影响。', 'person_name'), []);
  assert.deepEqual(found('首次代表苏格兰上阵的机会。', 'person_name'), []);
  assert.deepEqual(found('汤加因日界线东移，位于最东。', 'person_name'), []);
  assert.deepEqual(found('张伟和李娜去了伊朗。', 'person_name'), ['张伟', '李娜']);
});

test('social text: repeated characters, punctuation inside or around a span, a poem against a name ending in 诗', () => {
  assert.deepEqual(found('超超超美的乐乐一看照片又长大啦', 'person_name').includes('超超超'), false, 'one character three times is emphasis');
  assert.deepEqual(found('//@何辛ESPN卫视主持人:哈哈哈哈哈！', 'person_name').includes('哈哈'), false, 'laughter after a label is no name');
  assert.deepEqual(found('姓名：乐乐，电话13812345678', 'person_name'), ['乐乐'], 'a doubled given name alone still is one');
  assert.deepEqual(found('石小猛(张译饰)▪程峰(陈思成饰)▪杨', 'person_name').includes('程峰'), true, 'a bullet before a name is trimmed');
  assert.equal(found('江岛饰岳苍龙（岳老三&云中鹤合并）', 'person_name').some((n) => n.includes('&')), false, '& joins two names, it is in none');
  assert.deepEqual(found('篮球火女主角叫周采诗职业：演员兼模特', 'person_name'), ['周采诗']);
  assert.deepEqual(found('#2014徐浩朱元冰夏日签售会#你来吗', 'person_name'), ['徐浩', '朱元冰'], 'a year before a common surname');
  assert.deepEqual(found('法国经济和财政部长施特劳斯—卡恩曾直言不讳地说', 'person_name'), ['施特劳斯—卡恩'], 'a dash joins a transliteration');
  assert.ok(found('何厚铧、吴福、曹其真、何鸿（申音）及全体委员出席了会议', 'person_name').includes('何鸿（申音）'),
    'a rare character written as its parts in brackets');
});

// Issue 11: person-name precision on ordinary text, street addresses in news. Each rule: a case it fixes and a
// true name or address it must keep.

test('a reign era counts years (清咸丰三年, 魏甘露十年): no name; a ruler and a person\'s years ago are', () => {
  assert.deepEqual(found('1853年（清咸丰三年）太平军攻占南京。', 'person_name'), []);
  assert.deepEqual(found('他卒于顺治十一年十二月。', 'person_name'), []);
  assert.deepEqual(found('秦始皇十七年灭韩。', 'person_name'), ['秦始皇'], 'a ruler counts years too');
  assert.deepEqual(found('张伟一九九八年大学毕业。', 'person_name'), ['张伟'], 'a year in digits is no reign');
  assert.deepEqual(found('以刘德华十年前的一首歌为主题。', 'person_name'), ['刘德华']);
});

test('words that never start or end a name are cut off a span (杨蓉饰, 对于安妮, 赵鹏加盟, 东汉安世高)', () => {
  assert.deepEqual(found('主演：杨蓉饰顾知夏，张萌饰向天。', 'person_name'), ['杨蓉', '张萌']);
  assert.deepEqual(found('对于安妮，保罗始终有阴霾。', 'person_name'), ['安妮']);
  assert.deepEqual(found('成都钱宝宣布赵鹏加盟。', 'person_name'), ['钱宝', '赵鹏']);
  assert.deepEqual(found('《安般守意经》是东汉安世高所译。', 'person_name'), ['安世高']);
  assert.deepEqual(found('福原爱英文名：Ai Fukuhara，日本乒乓球运动员。', 'person_name'), ['福原爱'], '英 of 英文名 is no part of it');
  assert.deepEqual(found('于娜是一位演员。', 'person_name'), ['于娜'], '于 is a surname when no verb comes before it');
  assert.deepEqual(found('和万春花了七八万元修路。', 'person_name'), ['和万春'], 'and 和 one when three characters are left');
});

test('an old place named with its name today (熊津（今…）) or a landmass (潘诺西亚大陆) is no name; a person from a place today is', () => {
  assert.deepEqual(found('徐夫人，吴郡富春（今浙江省杭州市富阳区）人。', 'person_name'), ['徐夫人']);
  assert.deepEqual(found('百济王子被拥立为国王，建都熊津（今忠清南道公州市）。', 'person_name'), []);
  assert.deepEqual(found('他出生于帝国阿非利加行省大莱普提斯（今利比亚），家境富裕。', 'person_name'), []);
  assert.deepEqual(found('潘诺西亚大陆分裂成冈瓦那大陆、劳伦大陆和波罗地大陆。', 'person_name'), []);
  assert.deepEqual(found('东晋史学家干宝（今新蔡县人）著有《搜神记》。', 'person_name'), ['干宝'], '（今…人） says where a person came from');
  assert.deepEqual(found('记者王小明（今河北省石家庄市人）报道。', 'person_name'), ['王小明']);
});

test('a span running on into a clause ends before the word no name holds (刘备伐吴, 秦将章邯, 狼与乌鸦)', () => {
  assert.deepEqual(found('夷陵之战时，向宠跟随刘备伐吴。', 'person_name'), ['刘备']);
  assert.deepEqual(found('秦将章邯率军投降。', 'person_name'), ['章邯']);
  assert.deepEqual(found('传说其曾被狼与乌鸦所救。', 'person_name'), []);
});

test('the son of a name is named by it (司马觐之子 → 司马觐); a book in title marks, a company or a city by its predicate is no name', () => {
  assert.deepEqual(found('司马繇兄司马觐之子司马浑继嗣。', 'person_name').includes('司马觐'), true);
  assert.deepEqual(found('吴应熊之子被杀。', 'person_name'), ['吴应熊']);
  assert.deepEqual(found('吴废帝孙亮之妻，曾被册立为皇后。', 'person_name').includes('孙亮'), true);
  assert.deepEqual(found('郑连昌是明朝郑成功部将郑建之孙儿。', 'person_name').includes('孙儿'), false, 'a grandson is no name');
  assert.deepEqual(found('王之子是一位诗人。', 'person_name').includes('王之'), false, 'three characters: nothing is cut to a surname and 之');
  assert.deepEqual(found('《南齐书·列传第三十四 良政》即提到。', 'person_name'), []);
  assert.deepEqual(found('他读过《张伟传》。', 'person_name'), ['张伟'], 'a biography is a book, the name in it a name');
  assert.deepEqual(found('陶氏是美国一个跨国公司，是一家多元化的企业。', 'person_name'), []);
  assert.deepEqual(found('摩亨佐-达罗是青铜器时代古印度的一座名城，', 'person_name'), []);
  // A person is no company because a company follows in the sentence, nor is a book's author a book.
  assert.deepEqual(found('张伟是阿里巴巴公司的员工，王芳是一名教师。', 'person_name'), ['张伟', '王芳']);
  assert.deepEqual(found('这本书收录在《鲁迅全集》中，作者鲁迅。', 'person_name').includes('鲁迅'), true);
  // A novel named after its hero (MSRA labels 《赵尚志》 a name): 志 ends many names, so it ends no book.
  assert.deepEqual(found('这是继《赵尚志》之后的又一部力作。', 'person_name'), ['赵尚志']);
});

test('an office or a marquisate is no name (吴丞相, 门下侍郎, 永嘉侯); a foreign name cut at its dot or hyphen is taken whole', () => {
  assert.deepEqual(found('吴丞相朱据与朱公主之女', 'person_name').includes('吴丞相'), false);
  assert.deepEqual(found('冲突。洪武十三年（1380年）永嘉侯朱亮祖镇广州城，亮祖为人骄矜，', 'person_name').includes('永嘉侯'), false);
  assert.deepEqual(found('n (1716 -1783)、约翰．凡布鲁 John Vanbrugh', 'person_name'), ['约翰．凡布鲁']);
  // Parts the tagger found apart join into the one name (else 琼斯 lost the overlap and went out).
  assert.deepEqual(found('薇玛·姬利（凯瑟琳·泽塔-琼斯 饰）是一个夜总会舞女。', 'person_name').includes('凯瑟琳·泽塔-琼斯'), true);
  // A run that does not end where the ideographs do is no whole part: both names stay as they were.
  assert.deepEqual(found('HAT-P-2b的罗斯特-麦克劳克林效应进行的最新的估计', 'person_name'), ['罗斯特', '麦克劳克林']);
  // A name with a title after it is still one (王伟将军), and a marquis of three characters starting with a common surname.
  assert.deepEqual(found('张将军来了，王伟将军也来了。', 'person_name').includes('王伟'), true);
});

test('punctuation is cut off a span (▪葛尔丹); a rare character spelt in brackets and a dash inside a name are kept', () => {
  assert.deepEqual(found('▪葛尔丹(李洪涛饰)▪索额图(薛中锐饰)', 'person_name'), ['葛尔丹', '李洪涛', '索额图', '薛中锐']);
  assert.deepEqual(found('本报讯记者袁（日希）报道：今天开幕。', 'person_name'), ['袁（日希）']);
  assert.deepEqual(found('美国参议员约翰—格伦在招贴画上签名。', 'person_name'), ['约翰—格伦']);
});

test('a kinship word alone is no name (叔叔, 小儿子); the name after it is', () => {
  assert.deepEqual(found('后为著名演员，小儿子为安必英。', 'person_name'), []);
  assert.deepEqual(found('由于其父早死，他被叔叔王昶抚养。', 'person_name'), ['王昶']);
});

test('a fief or posthumous title is no name (封平阳亭侯, 谥文穆); 封秋昌 and 杨皇后 are', () => {
  assert.deepEqual(found('赤乌年间，朱据被封平阳亭侯。', 'person_name'), []);
  assert.deepEqual(found('任征虏将军，封颖阳侯。', 'person_name'), []);
  assert.deepEqual(found('吕凯被任命为云南太守，晋爵平阳亭侯。', 'person_name'), ['吕凯'], 'a peerage without 封 (阳亭侯) too');
  assert.deepEqual(found('死后谥文穆，葬于西山。', 'person_name'), []);
  assert.deepEqual(found('该期发表了封秋昌的《创造与想象》。', 'person_name'), ['封秋昌']);
  assert.deepEqual(found('杨皇后的词工丽典雅。', 'person_name'), ['杨皇后'], 'an empress by her surname');
});

test('peoples, lakes, fishes, genera, readings and stations are no names (赫哲族, 罗非鱼, 威拉弗龙, 吴音, 余杭站)', () => {
  assert.deepEqual(found('赫哲族主要分布在黑龙江。', 'person_name'), []);
  assert.deepEqual(found('罗非鱼，俗称非洲鲫鱼。', 'person_name'), []);
  assert.deepEqual(found('威拉弗龙的化石发现于墨西哥。', 'person_name'), []);
  assert.deepEqual(found('吴音与汉音不同，唐音更晚。', 'person_name'), []);
  assert.deepEqual(found('余杭站是沪昆客运专线的一个车站。', 'person_name'), []);
  assert.deepEqual(found('李小龙出生于旧金山。', 'person_name'), ['李小龙'], 'a surname before 龙: a name');
  assert.ok(found('双林寺彩塑观音被誉为“东方维纳斯”。', 'person_name').includes('观音'), '观音 is no dynasty\'s reading');
  assert.equal(found('张伟站在门口等他。', 'person_name').length, 1, 'one who stands is no station');
});

test('a place is named by what lies around it (外贝加尔一带), states of history and clubs are no names (普鲁士, 切尔西主场)', () => {
  assert.deepEqual(found('他们本来生活在外贝加尔一带。', 'person_name'), []);
  assert.deepEqual(found('1871年普鲁士统一德国。', 'person_name'), []);
  assert.deepEqual(found('切尔西主场迎战曼联。', 'person_name'), []);
  assert.deepEqual(found('张伟和李娜去了伊朗。', 'person_name'), ['张伟', '李娜']);
});

test('a piece of a country\'s name is no name (尔兰 of 爱尔兰, 伐克 of 斯洛伐克); names beside a country are', () => {
  assert.deepEqual(found('爱尔兰及北爱尔兰民众对全民公决的积极响应表示欢迎。', 'person_name'), []);
  assert.deepEqual(found('中国队在同美国、斯洛伐克等强手对抗时，都有领先的场面。', 'person_name'), []);
  assert.deepEqual(found('张伟和李娜去了爱尔兰。', 'person_name'), ['张伟', '李娜']);
});

test('a length beside a road, a road one sets out on and a player\'s number are no addresses; a village\'s roads are', () => {
  assert.deepEqual(found('和万春修了１公里盘山路，汽车开进煤场。', 'address'), []);
  assert.deepEqual(found('修筑环山作业路１７．５公里。', 'address'), []);
  assert.deepEqual(found('再活一年的田春美，迟迟没有踏上黄泉路。', 'address'), []);
  assert.deepEqual(found('（传真）终场前一分钟，奥地利队前锋１９号波尔斯特借一个角球机会，攻进一球把比分扳平。', 'address'), []);
  assert.deepEqual(found('全面修整了勐来村１０公里的老路。', 'address'), ['勐来村']);
  assert.deepEqual(found('他家住在三里屯路１２号。', 'address'), ['三里屯路１２号']);
});

test('an address starts after a descriptive word in its chain (贫困山区庆贺寺乡吴家包村); 南山区 is a district', () => {
  assert.deepEqual(found('今年１２岁的孙威锋，家住湖北松滋市贫困山区庆贺寺乡吴家包村。', 'address'), ['庆贺寺乡吴家包村']);
  assert.deepEqual(found('他家住在太原市郊区北固碾村。', 'address'), ['北固碾村']);
  assert.deepEqual(found('这是眼下出现在河南邓州农村的新景观。', 'address'), [], '农村 is the countryside');
  assert.deepEqual(found('通过民主治村，增强凝聚力。', 'address'), []);
  assert.deepEqual(found('他家住在西北的共和村，北邻杨箕村。', 'address'), ['杨箕村']);
  assert.deepEqual(found('他住在深圳市南山区学府路，离学校很近。', 'address'), ['深圳市南山区学府路']);
});

test('rivers, shoals, dialects, deities and estates are no names (艾芬河, 罗雷浅滩, 吴方言, 灵昭真君, 天华邨); a place named elsewhere in the text is one everywhere', () => {
  assert.deepEqual(found('雅芳河，又译埃文河、艾芬河，源于英格兰威尔特郡。', 'person_name'), []);
  assert.deepEqual(found('斐济群岛、东加、罗雷浅滩、密克罗尼西亚。', 'person_name'), []);
  assert.deepEqual(found('切瑟尔浅滩是连岛沙洲。', 'person_name'), []);
  assert.deepEqual(found('日本的吴音和南方吴方言、闽南方言等有较大的相近性。', 'person_name'), []);
  assert.deepEqual(found('灵昭真君，全称灵昭威显佑境安民真君，是广东地区的乡土神。', 'person_name'), []);
  assert.deepEqual(found('居屋有天瑞邨、天华邨、天恩邨。', 'person_name'), []);
  assert.deepEqual(found('普吉岛在泰国，普吉是泰国南部的世外桃源。', 'person_name'), [], '普吉岛 makes 普吉 a place in the whole text');
  assert.deepEqual(found('辖7个非都市区：林肯是第1大。林肯郡位于英格兰东部。', 'person_name'), []);
  assert.deepEqual(found('尚恩最早的音乐影响力来自于莱昂纳尔·里奇。', 'person_name'), ['尚恩', '莱昂纳尔·里奇'], '来自于: 于 is no surname here');
  assert.deepEqual(found('劳尔与西班牙模特马曼·桑斯结婚。', 'person_name'), ['马曼·桑斯'], 'one transliteration character before (模特) is a word of its own');
  assert.deepEqual(found('意外使得乔巴被迫和大伙走散了。', 'person_name'), ['乔巴']);
});

test('the tail of a longer transliteration is no name (达维亚 of 摩尔达维亚); after one transliteration character it may be (模特马曼·桑斯)', () => {
  const at = (text: string, span: string): [number, number] => [text.indexOf(span), text.indexOf(span) + span.length];
  const t1 = '他于1806年前往摩尔达维亚。';
  assert.notEqual(nameShape(t1, ...at(t1, '达维亚')), SHAPE_OK);
  const t2 = '劳尔与西班牙模特马曼·桑斯结婚。';
  assert.equal(nameShape(t2, ...at(t2, '马曼·桑斯')), SHAPE_OK);
});

test('a surname as such (赵姓) and a people or language named by a transliteration (奇勒恩人, 奇勒恩语) are no names; a life, a madam and a full name are', () => {
  assert.deepEqual(found('《百家姓》将赵姓列为全国首姓。', 'person_name'), []);
  assert.deepEqual(found('他们统称为奇勒恩人“ki lən”，说奇勒恩语。', 'person_name'), []);
  assert.deepEqual(found('东面的亚美尼亚和库尔德人也开始和土耳其人冲突。', 'person_name'), []);
  assert.deepEqual(found('这是克林顿人生道路的重大转折。', 'person_name'), ['克林顿'], '人生: the man\'s life');
  assert.equal(found('董事长蒙蒂夫人是一位富有创造力的企业家。', 'person_name').length, 1, '夫人: madam');
  assert.deepEqual(found('赵伟列为全国首位。', 'person_name'), ['赵伟']);
  assert.deepEqual(found('难道这样还不够吗，我们普通老白姓连维护生命的权利都要被剥夺吗。', 'person_name'), [], '姓 inside a span');
});

test('the gate\'s pair set holds exactly its pairs (above 2^30 and below), whatever their number', () => {
  const random = mulberry32(11);
  for (const size of [0, 1, 7, 1000]) {
    const pairs = new Set<number>();
    while (pairs.size < size) pairs.add((((0x3400 + Math.floor(random() * 0x6c00)) << 16) | (0x3400 + Math.floor(random() * 0x6c00))) >>> 0);
    const set = new PairSet([...pairs]);
    for (const p of pairs) assert.ok(set.has(p), `pair ${p} missing`);
    for (let k = 0; k < 2000; k++) {
      const q = (((0x3400 + Math.floor(random() * 0x6c00)) << 16) | (0x3400 + Math.floor(random() * 0x6c00))) >>> 0;
      assert.equal(set.has(q), pairs.has(q));
    }
    assert.equal(set.has(0), false);
  }
  const model = defaultNerModel();
  for (const p of model.gatePairs) assert.ok(model.gatePairSet.has(p));
  assert.throws(() => new PairSet([0]), /corrupt/);
});

test('the tail of a word is no name (叶梅 of 榆叶梅, 申花 of 上海申花); a listed name inside one is (学雷锋)', () => {
  assert.deepEqual(found('榆叶梅别名小桃红、榆梅、鸾枝。', 'person_name'), []);
  assert.deepEqual(found('由时任甲A联赛劲旅上海申花主教练的名帅徐根宝所创建。', 'person_name'), ['徐根宝']);
  assert.deepEqual(found('飞黄腾达7为美国真人秀节目。', 'person_name'), []);
  assert.deepEqual(found('他坚持学雷锋做好事，被评为学雷锋标兵。', 'person_name'), ['雷锋', '雷锋']);
});

test('a prince\'s title and a noble rank come off a name (北王韦昌辉, 公爵格奥尔格); an era is no name (改元洪宪); 王 as a surname stays', () => {
  // The title comes off what the tagger found; the tagger's own reading of 翼王石达开 varies between trainings.
  const taiping = found('一面密令北王韦昌辉和翼王石达开回京。', 'person_name');
  assert.equal(taiping[0], '韦昌辉');
  assert.ok(taiping.every((n) => !n.includes('北王') && !n.includes('翼王')), taiping.join());
  assert.deepEqual(found('他的祖父南昌王朱兴隆是明太祖的哥哥。', 'person_name'), ['朱兴隆']);
  assert.deepEqual(found('老鹰王约翰逊从亚特兰大老鹰队转到布鲁克林篮网队。', 'person_name'), ['约翰逊']);
  assert.deepEqual(found('双方为萨克森公爵格奥尔格、黑森领主菲利普。', 'person_name').slice(0, 1), ['格奥尔格']);
  assert.deepEqual(found('吴三桂在衡阳称帝，建元昭武。', 'person_name'), ['吴三桂']);
  assert.deepEqual(found('副市长王小明出席了会议。', 'person_name'), ['王小明']);
  assert.deepEqual(found('局长王约翰出席了会议。', 'person_name'), ['王约翰'], 'three characters: 王 is the surname');
});

test('a surname and a person\'s title after it make a name whatever its last character (马语先生, 田国同志); 赵姓女士 and 韩国女士 do not', () => {
  assert.deepEqual(found('物业多次推诿，要求马语先生尽快处理。', 'person_name'), ['马语']);
  assert.deepEqual(found('会议决定由田国同志牵头。', 'person_name'), ['田国']);
  assert.deepEqual(found('这位赵姓女士来自北京。', 'person_name'), []);
  assert.deepEqual(found('一位韩国女士来访。', 'person_name'), []);
});

test('foreign cities and clubs are no names (阿森纳, 拉齐奥, 尤文图斯); with a person\'s title after them they are (马德里先生), and 洛桑 is a Tibetan name', () => {
  assert.deepEqual(found('最终切尔西以2-1击败阿森纳。', 'person_name'), []);
  assert.deepEqual(found('他曾效力于拉齐奥和尤文图斯。', 'person_name'), []);
  assert.deepEqual(found('但马德里先生首先带我参观的却是病房。', 'person_name'), ['马德里']);
  assert.deepEqual(found('马乡乡长洛桑说：过去这里没有路。', 'person_name'), ['洛桑']);
});

test('于 after a word it ends (用于, 迫于, 关于) is no part of the name after it', () => {
  assert.deepEqual(found('不过，迫于秀吉的压力而退兵。', 'person_name'), ['秀吉']);
});

test('a dynasty before a three-character name (宋周敦颐) and a writer\'s epithet (大文豪莎士比亚) come off it', () => {
  assert.deepEqual(found('柳宗元的《捕蛇者说》，宋周敦颐的《爱莲说》。', 'person_name').slice(-1), ['周敦颐']);
  assert.deepEqual(found('英国大文豪莎士比亚说过', 'person_name'), ['莎士比亚'], 'a title alone (文豪) is no name either');
  // A calling or an office the tagger took in (商人西村松兵卫) comes off too: the trimming works on the tagger's span.
  const merchant = found('之后与商人西村松兵卫再婚', 'person_name');
  assert.ok(merchant.every((n) => !n.startsWith('商人')), merchant.join());
  assert.ok(found('他以英国大文豪莎士比亚名剧《亨利五世》的台词作答。', 'person_name').every((n) => !n.includes('文豪')));
});

test('a doubled given name the tagger cut in half is taken whole (刘诗|诗)', () => {
  assert.deepEqual(found('出10大美女之最】，我投给了“刘诗诗”，你也快来表态吧！', 'person_name'), ['刘诗诗']);
  assert.deepEqual(found('主演：王菲菲、李娜娜。', 'person_name'), ['王菲菲', '李娜娜']);
});

test('after a label of where a person lives, a street-level place is an address though the tagger misses its road (保定市竞秀区建设路); a route verb comes off a road (东至黎平路)', () => {
  assert.deepEqual(found('住址：保定市竞秀区建设路', 'address'), ['保定市竞秀区建设路']);
  assert.deepEqual(found('他家住在河北省保定市竞秀区建设路。', 'address'), ['河北省保定市竞秀区建设路']);
  assert.deepEqual(found('他说起河北省保定市竞秀区的变化。', 'address'), [], 'a district is no address');
  assert.deepEqual(found('杨树浦路是一条东西向干道，西起惠民路，东至黎平路，全长5586米。', 'address'), ['杨树浦路', '惠民路', '黎平路']);
});

test('a delivery verb inside a word is no address label (传送到全省所有山村)', () => {
  assert.deepEqual(found('把信号传送到全省所有山村乡镇。', 'address'), []);
});

test('a text of one piece repeated keeps one finding for each piece (the steps that once compared every finding with every other)', () => {
  assert.equal(found('张伟、'.repeat(2000) + '。', 'person_name').length, 2000);
  assert.equal(found('机密★'.repeat(2000), 'classified_marking').length, 2000);
  // Every one of the repeated addresses is covered (two of them once joined across the comma ran into the step cap
  // and left the next one's road and number out).
  const addresses = '北京市朝阳区建国路88号，'.repeat(500);
  const spans = guard.scan(addresses).findings.filter((f) => f.type === 'address');
  for (let at = addresses.indexOf('建国路88号'); at >= 0; at = addresses.indexOf('建国路88号', at + 1)) {
    assert.ok(spans.some((f) => f.start <= at && at + 6 <= f.end), `the address at ${at} is covered`);
  }
});

test('addresses a comma apart are two findings; a comma inside one address is still read through', () => {
  assert.deepEqual(found('住址：北京市朝阳区建国路88号，北京市海淀区中关村大街27号。', 'address'), ['北京市朝阳区建国路88号', '北京市海淀区中关村大街27号']);
  assert.deepEqual(found('交银金融大厦位于中国上海市浦东新区银城中路188号，陆家嘴金融贸易区B1-3地块。', 'address').at(-1), '中国上海市浦东新区银城中路188号');
  assert.deepEqual(found('住址：北京市朝阳区，建国路88号3单元502室', 'address'), ['北京市朝阳区，建国路88号3单元502室']);
});
