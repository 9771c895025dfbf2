import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, normalize, Vault } from '../../src/guard/index.ts';
import type { FindingType } from '../../src/guard/index.ts';
import { mulberry32 } from '../helpers/random.ts';

const guard = createGuard();

function found(text: string): Array<[FindingType, string]> {
  return guard.scan(text).findings.map((f) => [f.type, text.slice(f.start, f.end)]);
}

/** The rules alone, no tagger: a test of a rule fails when the rule breaks, whatever the tagger reads. */
const rules = createGuard({ scanCacheEntries: 0, tagger: false });

/** What the rules find of one type in `text`. */
function ruleValues(text: string, type: FindingType): string[] {
  return rules.scan(text).findings.filter((f) => f.type === type).map((f) => text.slice(f.start, f.end));
}

/** The zero of every block of Unicode decimal digits, found by property (not a list written here). */
function digitZeros(): number[] {
  const zeros: number[] = [];
  const nd = /\p{Nd}/u;
  let run = 0;
  for (let cp = 0; cp < 0x20000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (!nd.test(String.fromCodePoint(cp))) {
      run = 0;
      continue;
    }
    if (run % 10 === 0) zeros.push(cp);
    run++;
  }
  return zeros;
}

function spell(digits: string, zero: number): string {
  return [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join('');
}

test('a mobile number written in the decimal digits of every script is found, offsets on the original', () => {
  const zeros = digitZeros();
  assert.ok(zeros.length >= 70, `Unicode has ~77 digit blocks below U+20000, found ${zeros.length}`);
  for (const zero of zeros) {
    const number = spell('13800138000', zero);
    const text = `请拨打${number}联系`;
    assert.deepEqual(found(text), [['cn_mobile', number]], `U+${zero.toString(16)}`);
  }
});

test('circled, parenthesised, dotted, dingbat, superscript and subscript numbers', () => {
  const forms: Record<string, string> = {
    circled: '①③⑧⓪⓪①③⑧⓪⓪⓪', parenthesised: '⑴⑶⑻⓪⓪⑴⑶⑻⓪⓪⓪', 'full stop': '⒈⒊⒏🄀🄀⒈⒊⒏🄀🄀🄀',
    'dingbat negative': '❶❸❽⓿⓿❶❸❽⓿⓿⓿', 'dingbat sans': '➀➂➇🄋🄋➀➂➇🄋🄋🄋', 'double circled': '⓵⓷⓼⓪⓪⓵⓷⓼⓪⓪⓪',
    superscript: '¹³⁸⁰⁰¹³⁸⁰⁰⁰', subscript: '₁₃₈₀₀₁₃₈₀₀₀', 'mixed scripts': '1٣８𝟎０①३⁸০⓪0',
  };
  for (const [name, number] of Object.entries(forms)) {
    assert.deepEqual(found(`手机${number}。`), [['cn_mobile', number]], name);
  }
  // Two-digit forms expand (⑩ → 10): the finding still covers exactly the original characters.
  assert.deepEqual(found('手机138001380⑩，谢谢'), [['cn_mobile', '138001380⑩']]);
  assert.deepEqual(found('手机1380013801⓪'), [['cn_mobile', '1380013801⓪']]);
});

test('combining marks and format characters inside digit runs are stripped', () => {
  for (const number of [
    '1\u03323\u03328\u0332 0013 8000', // combining low line
    '1\u20e33\u20e38\u20e30013 8000', // keycaps
    '1\ufe0f\u20e338 0013 8000', // emoji keycap with variation selector
    '138\u200d0013\u00ad8000', // zero-width joiner, soft hyphen
    '138\u202e0013\u202c8000', // bidi override
    '138\u{e0031}0013\u{e0020}8000', // tag characters
    '１３８\u2060００１３８０００', // word joiner in full-width digits
  ]) {
    assert.deepEqual(found(`手机${number}`), [['cn_mobile', number]], JSON.stringify(number));
  }
});

/** Text in tag characters: invisible, and read as ASCII by a model ("ASCII smuggling"). */
const tags = (s: string): string => [...s].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
/** Bytes in variation selectors after a visible character ("emoji smuggling"). */
const selectors = (s: string): string => [...Buffer.from(s)].map((b) => String.fromCodePoint(b < 16 ? 0xfe00 + b : 0xe0100 + b - 16)).join('');

test('hostile: text smuggled in invisible characters — tag characters, variation selectors — is read as what it carries, pseudonymized whole, restored', () => {
  const hidden = [`请看😀${tags('13800138000')}`, `联系${tags('id 11010519491231002X')}`, `好的😀${selectors('手机13800138000')}`, `👍${selectors('身份证号11010519491231002X')}`];
  for (const text of hidden) {
    const scan = guard.scan(text);
    assert.ok(scan.findings.some((f) => f.type === 'cn_mobile' || f.type === 'cn_id_card'), JSON.stringify(text));
    const vault = new Vault();
    const safe = vault.pseudonymize(text, scan.findings);
    // No digit is left in either smuggling alphabet (tags U+E0030–9, selectors U+E0120–9).
    assert.ok(!/[\u{e0030}-\u{e0039}\u{e0120}-\u{e0129}]/u.test(safe), `no smuggled digit is left: ${JSON.stringify(safe)}`);
    assert.equal(vault.restore(safe), text);
  }
  // Read both ways: a tag or two put between the digits of a visible number hides nothing.
  assert.deepEqual(found(`手机138${tags('1')}0013${tags(' ')}8000`).map(([t]) => t), ['cn_mobile']);
  // Linear: 200,000 selectors that are no text (byte 255) are dropped in one step, not re-read from each of them.
  const junk = `手机13800138000${String.fromCodePoint(0xe01ef).repeat(200_000)}`;
  assert.equal(normalize(junk).text, '手机13800138000');
  // What they carry legitimately stays: a flag's tag sequence, one selector after an emoji or an ideograph.
  for (const text of ['🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} 苏格兰', '❤\ufe0f 谢谢', '葛\u{e0100}城']) {
    assert.deepEqual(found(text), [], JSON.stringify(text));
  }
});

test('an ID card number in Arabic-Indic digits with a mark in it is pseudonymized and restored', () => {
  const id = spell('11010519491231002', 0x660) + 'X';
  const text = `身份证号${id.slice(0, 5)}\u0301${id.slice(5)}，请核对`;
  const scan = guard.scan(text);
  assert.deepEqual(scan.findings.map((f) => f.type), ['cn_id_card']);
  const vault = new Vault();
  const safe = vault.pseudonymize(text, scan.findings);
  assert.ok(!/[\u0660-\u0669]/.test(safe), safe);
  assert.equal(vault.restore(safe), text);
});

test('Cyrillic and Greek look-alikes in keys and labels are folded; real Cyrillic and Greek words are not', () => {
  // "АKIA…" with a Cyrillic А, and an AccessKey with a Greek Ο.
  assert.deepEqual(found('key \u0410KIAIOSFODNN7EXAMPLE'), [['secret', '\u0410KIAIOSFODNN7EXAMPLE']]);
  assert.deepEqual(found('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY\u039fEXAMPLEKEY').map((f) => f[0]), ['secret']);
  // A passport label in look-alikes ("раssport", Cyrillic р and а), with a number labelled only by it.
  const [p] = guard.scan('\u0440\u0430ssport no. D1234567').findings;
  assert.equal(p?.type, 'passport');
  assert.equal(p.score, 0.9, 'the look-alike label counts as a label');
  for (const word of ['Москва', 'Ελλάδα', 'сор', 'Рост']) {
    const n = normalize(`城市 ${word} 123`).text;
    if (word === 'сор') assert.equal(n, '城市 cop 123', 'a word made of look-alikes only is folded');
    else assert.ok(n.includes(word), `${word} stays as written`);
  }
});

test('classified markings: traditional characters, any bracket pair, spaced characters, 密级★期限', () => {
  for (const mark of [
    '機密★5年', '絕密★長期', '密級：機密', '秘密★啟用前',
    '「机密」', '『绝密』', '〈秘密〉', '《机密》', '[机密]', '<机密>', '〖绝密〗', '〔秘密〕', '（机密）', '【绝密★长期】',
    '机 密 ★ 5 年', '绝　密★长期', '秘 密 级', '密 级 ： 机 密',
    '秘密★1年', '机密★长期', '绝密★启用前', '秘密★十年', '机密★6个月', '机密★１０年', '机密★⑩年',
    '机\u200b密★5年', '机\u0301密★5年',
  ]) {
    const scan = guard.scan(`${mark}\n关于某项工作的通知`);
    assert.equal(scan.level, 'classified', mark);
    assert.deepEqual(found(`${mark}\n关于某项工作的通知`), [['classified_marking', mark]], mark);
  }
});

test('mentions of secrecy are not markings, in either script and with brackets', () => {
  for (const text of ['商业秘密', '商業秘密★', '机密性', '《保守国家秘密法》', '飞机 密封', '国家秘密★', '技術秘密級', '这是机密吗', '「机密性」', '机密级别']) {
    assert.deepEqual(found(text), [], text);
  }
});

test('a passport number without a label is found at a lower score and one level lower', () => {
  for (const number of ['E12345678', 'EA1234567', 'G12345678']) {
    const [f] = guard.scan(`请核对${number}的信息`).findings;
    assert.equal(f?.type, 'passport', number);
    assert.equal(f.score, 0.6);
    assert.equal(f.level, 'internal', 'sensitive by default, one level lower without a label');
  }
  const [labelled] = guard.scan('护照号码：E12345678').findings;
  assert.equal(labelled.score, 0.9);
  assert.equal(labelled.level, 'sensitive');
  // Not a passport without a label: other letters, other lengths, glued to other characters, stock codes.
  for (const text of ['D1234567', 'EI1234567', 'E1234567', 'G123456789', 'XE12345678', 'E12345678X', 'SZ002042', 'G1234次列车']) {
    assert.deepEqual(found(text), [], text);
  }
  // The policy decides what "one level lower" means: a tenant raising passports raises the guess too.
  const strict = createGuard({ levels: { passport: 'classified' } });
  assert.equal(strict.scan('E12345678').level, 'sensitive');
});

test('property: normalized offsets always map inside the original and never split a surrogate pair', () => {
  const rand = mulberry32(10);
  const pool = ['1', '3', '8', '٣', '𝟖', '⑩', '①', '\u200b', '\u0301', 'А', 'K', '一', '零', ' ', '-', '机', '密', '★', '😀', 'x',
    // Pieces of escapes, whole and broken: \u5f20, %E5%BC%A0, \xe5, &#24352;, =E5, an escaped surrogate half.
    '\\u5f20', '\\ud83d', '\\ude00', '\\u', '%E5', '%BC', '%A0', '%F0%9F%98%80', '%40', '%u5F20', '\\x', 'e5', '\\xbc', '&#', '24352;', '&#x1F600;', '=E5', '=BC', '%', '=',
    '%D5%C5', '%C8', '=?UTF-8?B?5byg5LiJ?=', '=?gb2312?Q?=D5=C5?=', '=?x?B?', '?='];
  for (let round = 0; round < 2000; round++) {
    let text = '';
    const len = 1 + Math.floor(rand() * 30);
    for (let i = 0; i < len; i++) text += pool[Math.floor(rand() * pool.length)];
    const n = normalize(text);
    if (n.map === null) {
      assert.equal(n.text.length, text.length);
      continue;
    }
    // Offsets between the halves of a pair the normalized text kept (an emoji) split it there too: not asked.
    const inside = (t: string, i: number) => i > 0 && i < t.length && t.charCodeAt(i) >= 0xdc00 && t.charCodeAt(i) <= 0xdfff;
    for (let s = 0; s < n.text.length; s++) {
      if (inside(n.text, s)) continue;
      for (const e of [s, s + 1, n.text.length]) {
        if (inside(n.text, e)) continue;
        const os = n.map.starts[s];
        const oe = e > s ? n.map.ends[e - 1] : os;
        assert.ok(os >= 0 && os <= oe && oe <= text.length, JSON.stringify(text));
        const lead = text.charCodeAt(os);
        assert.ok(!(lead >= 0xdc00 && lead <= 0xdfff), `start inside a pair: ${JSON.stringify(text)}`);
        const before = text.charCodeAt(oe - 1);
        assert.ok(oe === os || !(before >= 0xd800 && before <= 0xdbff), `end inside a pair: ${JSON.stringify(text)}`);
      }
    }
  }
  // And the whole pipeline round-trips.
  const vault = new Vault();
  const text = '手机𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎⑩ 和 key АKIAIOSFODNN7EXAMPLE';
  assert.equal(vault.restore(vault.pseudonymize(text, guard.scan(text).findings)), text);
});

test('an e-mail address written to slip past filters: (at), [at], #, 艾特, at … dot', () => {
  const g = createGuard({ scanCacheEntries: 0 });
  const emails = (text: string): string[] => g.scan(text).findings.filter((f) => f.type === 'email').map((f) => text.slice(f.start, f.end));
  assert.deepEqual(emails('邮箱：zhang.wei(at)example.com'), ['zhang.wei(at)example.com']);
  assert.deepEqual(emails('联系邮箱 zhangwei#163.com'), ['zhangwei#163.com']);
  assert.deepEqual(emails('邮箱：zhangwei艾特qq点com'), ['zhangwei艾特qq点com']);
  assert.deepEqual(emails('邮箱 zhang [at] gov [dot] cn'), ['zhang [at] gov [dot] cn']);
  assert.deepEqual(emails('zhangwei at example dot com'), ['zhangwei at example dot com']);
  // Prose and code: at with a real dot, CSS selectors, hashtags.
  for (const text of ['find us at example.com', 'div#main.content { color: red }', '#hashtag 话题', 'meet me at home dot']) {
    assert.deepEqual(emails(text), [], text);
  }
});

test('letters that stand in for digits inside a number: 手机：l38OO138OOO, 138 oo13 8ooo, an ID card with O for 0', () => {
  const found = (text: string) => rules.scan(text).findings.map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
  assert.deepEqual(found('手机：l38OO138OOO'), ['cn_mobile:l38OO138OOO']);
  assert.deepEqual(found('电话 138 oo13 8ooo 找我'), ['cn_mobile:138 oo13 8ooo']);
  assert.deepEqual(found('身份证号 11O1O519491231OO2X'), ['cn_id_card:11O1O519491231OO2X']);
  assert.equal(normalize('l38OO138OOO').text, '13800138000');
  // Letters in words stay letters: a model's name, English, a word beside the number, too few real digits.
  for (const text of ['gpt-4o-2024-05-13', 'lol 1234567 lol', 'Hello World 2024', 'IOI 0l0 1O1', 'abc1380O138OOO', 'O2O']) {
    assert.equal(normalize(text).text, text, text);
  }
});

test('pinyin with tone marks reads as pinyin: 持卡人：Zhāng Wěi, Lǚ Xiǎomíng, marks written apart (Zha\u0304ng)', () => {
  const names = (text: string) => ruleValues(text, 'person_name');
  assert.deepEqual(names('持卡人：Zhāng Wěi'), ['Zhāng Wěi']);
  assert.deepEqual(names('联系人：Zha\u0304ng We\u030Ci'), ['Zha\u0304ng We\u030Ci']);
  assert.deepEqual(names('Contact: Lǚ Xiǎomíng, tel 13800138000'), ['Lǚ Xiǎomíng']);
  assert.equal(normalize('Ōuyáng Nà').text, 'Ouyang Na');
  // Letters without a decomposition stay; so does ordinary text with accents, which holds no name.
  assert.equal(normalize('Straße Ærø').text, 'Straße Ærø');
  assert.deepEqual(names('café résumé naïve'), []);
});

test('radicals, strokes and enclosed ideographs read as the ideographs they look like, as PDF copies carry them: 姓名：⽥⼤⼒, ⻓沙市⻰华路, ㊙', () => {
  const found = (text: string, type: FindingType) => ruleValues(text, type);
  // Kangxi radicals (U+2F00–U+2FD5) and the radicals supplement (U+2E80–U+2EF3), written with escapes so that they stay visible here.
  const kangxiName = '\u2F65\u2F24\u2F12'; // ⽥⼤⼒ = 田大力
  assert.deepEqual(found(`姓名：${kangxiName}`, 'person_name'), [kangxiName]);
  assert.deepEqual(found('联系\u2F08：王\u2F29明', 'person_name'), ['王\u2F29明']); // 联系⼈：王⼩明
  const street = '\u2ED3沙市\u2EF0华路88号'; // ⻓沙市⻰华路88号 = 长沙市龙华路88号
  assert.deepEqual(found(street, 'address'), [street]);
  assert.equal(normalize(street).text, '长沙市龙华路88号');
  assert.equal(normalize('\u2ED1').text, '长', 'a traditional form (⻑ → 長) folds on to the simplified one');
  assert.equal(normalize(street).map, null, 'one for one: no offset map');
  assert.equal(rules.scan('机密\u2605\u2F00年').level, 'classified'); // 机密★⼀年
  // Ideographs in a circle or a square fold the same way (㊙密★一年, 🈲止外传).
  assert.equal(rules.scan('\u3299密\u2605一年').level, 'classified');
  assert.equal(normalize('\u{1F232}止外传').text, '禁止外传');
});

test('traditional characters read as simplified ones: names, labels and addresses as Hong Kong, Macau and Taiwan write them', () => {
  const names = (text: string) => ruleValues(text, 'person_name');
  assert.deepEqual(names('姓名：陳大文'), ['陳大文']);
  assert.deepEqual(names('聯絡人：黃小明'), ['黃小明']);
  assert.deepEqual(names('申請人：張學友，電話：91234567'), ['張學友']);
  assert.equal(normalize('聯絡人：黃小明').text, '联络人:黄小明');
  // One character for one: no offset map, and what leaves and comes back is the traditional text.
  assert.equal(normalize('陳大文').map, null);
  const text = '負責人：劉德華，地址：香港九龍旺角彌敦道580號8樓';
  const vault = new Vault();
  const safe = vault.pseudonymize(text, guard.scan(text).findings);
  assert.ok(!safe.includes('劉德華') && !safe.includes('彌敦道580號'), safe);
  assert.equal(vault.restore(safe), text);
  // Characters that simplified text uses as they are stay: 乾隆, the surname 於, 麽.
  assert.equal(normalize('乾隆年间於梨华说什麽').text, '乾隆年间於梨华说什麽');
});

test('text copied from a PDF with a space after every character reads as written; a form spaced between words does not change', () => {
  const found = (text: string) => rules.scan(text).findings.map((f) => [f.type, text.slice(f.start, f.end)]);
  assert.deepEqual(found('联 系 人 ： 张 三'), [['person_name', '张 三']]);
  assert.deepEqual(found('申 请 人：王 建 国'), [['person_name', '王 建 国']]);
  assert.deepEqual(found('住 址 ： 北 京 市 朝 阳 区 建 国 路 8 8 号'), [['address', '北 京 市 朝 阳 区 建 国 路 8 8 号']]);
  assert.equal(normalize('姓名 王小二 性别 男').text, '姓名 王小二 性别 男');
  assert.equal(normalize('我 爱 你').text, '我 爱 你');
  assert.equal(normalize('a b c d e').text, 'a b c d e');
  // An ID card number spaced or dashed digit by digit, its check character X included (1 in 11 numbers ends in X).
  const id = '11010519491231002X';
  for (const sep of [' ', '-']) {
    const spaced = `身 份 证 号 ： ${id.split('').join(sep)}`;
    assert.deepEqual(found(spaced), [['cn_id_card', id.split('').join(sep)]], spaced);
  }
  assert.deepEqual(found('1 2 3 X'), []);
  // Linear on a long spaced text.
  assert.equal(normalize('张 '.repeat(200_000)).text, '张'.repeat(200_000));
});
