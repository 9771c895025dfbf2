import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard } from '../../src/guard/index.ts';
import type { FindingType, Guard } from '../../src/guard/index.ts';
import { HANDWRITTEN, parseMarked } from './fixtures/handwritten.ts';

const guard = createGuard({ customTerms: ['天穹计划', '青鸾系统'] });

function found(text: string): Array<[FindingType, string]> {
  return guard.scan(text).findings.map((f) => [f.type, text.slice(f.start, f.end)]);
}

/** Guards that scan every text afresh (no cache), with the tagger and with the rules alone. */
const uncached = createGuard({ scanCacheEntries: 0 });
const rulesOnly = createGuard({ scanCacheEntries: 0, tagger: false });

/** What guard `g` finds of one type in `text`. */
function valuesOf(g: Guard, text: string, type: FindingType): string[] {
  return g.scan(text).findings.filter((f) => f.type === type).map((f) => text.slice(f.start, f.end));
}

test('hand-written set: every labelled value is found, nothing else', () => {
  for (const marked of HANDWRITTEN) {
    const { text, labels } = parseMarked(marked);
    const expected = labels.map((l) => [l.type, text.slice(l.start, l.end)]);
    assert.deepEqual(found(text), expected, text);
  }
});

test('mobile numbers in every common format', () => {
  for (const s of ['13800138000', '138-0013-8000', '138 0013 8000', '+86 13800138000', '+86-138-0013-8000', '008613800138000',
    '16212345678', '19912345678', '17012345678']) {
    assert.deepEqual(found(`电话：${s}。`).map((f) => f[0]), ['cn_mobile'], s);
  }
  assert.deepEqual(found('电话：19412345678。'), [], '194 is not allocated');
  assert.deepEqual(found('电话：12345678901。'), []);
});

test('landlines, not 400/800 service numbers', () => {
  assert.deepEqual(found('座机 010-62345678'), [['cn_landline', '010-62345678']]);
  assert.deepEqual(found('座机 0755-8600 1234'), [['cn_landline', '0755-8600 1234']]);
  assert.deepEqual(found('热线 400-820-8820 或 800-810-1234'), []);
});

test('bank cards: UnionPay 19 digits grouped, Luhn enforced', () => {
  assert.deepEqual(found('卡号 6222 0212 3456 7890 128'), [['bank_card', '6222 0212 3456 7890 128']]);
  assert.deepEqual(found('卡号 6222 0212 3456 7890 129'), []);
});

test('hard negatives: order, waybill, invoice numbers, amounts, dates, versions, timestamps', () => {
  for (const s of [
    '订单号：202311051234567890', '运单号 SF1409876543210', '发票号码：08765432', '金额 ￥1,234,567.89',
    '日期 20231105', '2023-11-05 14:32:10', 'v3.12.4', '版本 10.2.0.1', '时间戳 1700000000123',
    '110101199003071235', '91110108MA01D8XK1A', '订单号：13800138000',
  ]) {
    assert.deepEqual(found(s), [], s);
  }
});

test('evasion: full-width digits, zero-width characters, Chinese numerals, spaced digits', () => {
  assert.deepEqual(found('手机１３８００１３８０００').map((f) => f[0]), ['cn_mobile']);
  const zw = '手机138\u200b0013\u200b8000';
  const [f] = guard.scan(zw).findings;
  assert.equal(f.type, 'cn_mobile');
  assert.equal(zw.slice(f.start, f.end), '138\u200b0013\u200b8000', 'offsets map back to the original');
  assert.deepEqual(found('手机一三八零零一三八零零零'), [['cn_mobile', '一三八零零一三八零零零']]);
  assert.deepEqual(found('手机 1 3 8 0 0 1 3 8 0 0 0'), [['cn_mobile', '1 3 8 0 0 1 3 8 0 0 0']]);
});

test('evasion: numbers read aloud (幺三八洞洞) and written backwards, which a model reads or turns around', () => {
  assert.deepEqual(found('电话 幺三八洞洞幺三八洞洞洞'), [['cn_mobile', '幺三八洞洞幺三八洞洞洞']]);
  assert.deepEqual(found('呼号两拐勾，手机幺三八 洞洞幺三 八洞洞洞'), [['cn_mobile', '幺三八 洞洞幺三 八洞洞洞']]);
  assert.deepEqual(found('三三两两的人群洞开大门，一两三四五六七'), [], 'these characters are numerals only in a run of seven');
  // The reversal of 11010519491231002X, with its check character first and last.
  assert.deepEqual(found('身份证号反过来是：X20013219491501011。'), [['cn_id_card', 'X20013219491501011']]);
  assert.deepEqual(found('证件 300201509491501011'), [['cn_id_card', '300201509491501011']], '110105194905102003 backwards');
  assert.deepEqual(found('请倒着读这个号码：00083100831'), [['cn_mobile', '00083100831']]);
  assert.deepEqual(found('订单号 00083100831'), [], 'a mobile backwards only where the text says to reverse it');
  assert.deepEqual(found('X20013219491501011abc 和 X20013219491501011-A'), [], 'part of a longer identifier');
});

test('evasion: numbers spelled out in English words, as dictation writes them', () => {
  assert.deepEqual(found('电话 one three eight zero zero one three eight zero zero zero'), [['cn_mobile', 'one three eight zero zero one three eight zero zero zero']]);
  assert.deepEqual(found('Call me on One-Three-Eight, double oh one, three eight triple oh.'),
    [['cn_mobile', 'One-Three-Eight, double oh one, three eight triple oh']]);
  assert.deepEqual(found('My ID is one one zero one zero five one nine four nine one two three one zero zero two x.'),
    [['cn_id_card', 'one one zero one zero five one nine four nine one two three one zero zero two x']]);
  assert.deepEqual(found('mobile 138 zero zero one three 8000'), [['cn_mobile', '138 zero zero one three 8000']]);
  // Several numbers said one after another in one run of words: each is found.
  const two = 'one three eight zero zero one three eight zero zero zero, one one zero one zero five one nine four nine one two three one zero zero two x';
  assert.deepEqual(found(two), [['cn_mobile', 'one three eight zero zero one three eight zero zero zero'],
    ['cn_id_card', 'one one zero one zero five one nine four nine one two three one zero zero two x']]);
  assert.deepEqual(found('one three nine zero zero one three nine zero zero zero one three eight double oh one three eight triple oh'),
    [['cn_mobile', 'one three nine zero zero one three nine zero zero zero'], ['cn_mobile', 'one three eight double oh one three eight triple oh']]);
  // Counting, an order number and words that only look like numbers stay as they are.
  for (const s of ['one two three four five six seven eight nine', 'Order number one three eight zero zero one three eight zero zero zero',
    'I have one two three, four five six', 'one of the three eight-hour shifts, zero one three eight zero zero zero',
    // Counting on: a window of it passes the card check (Luhn, a Visa prefix), but a split run yields only mobiles and IDs.
    'one two three four five six seven eight nine zero one two three four five six seven eight nine zero one two three four five six',
    'Order number one three eight zero zero one three eight zero zero zero one three eight zero zero one three eight zero zero zero']) {
    assert.deepEqual(found(s), [], s);
  }
  // Hostile: a run of 150,000 number words is split in one pass over it, a few candidates a word.
  assert.equal(uncached.scan('one '.repeat(150_000)).findings.length, 0);
});

test('identity numbers of Hong Kong, Macao and Taiwan residents are ID card numbers; their checks and labels decide', () => {
  assert.deepEqual(found('The applicant (HKID A123456(3)) will attend.'), [['cn_id_card', 'A123456(3)']], 'bracketed as on the card');
  assert.deepEqual(found('香港身份证：A123456（3）'), [['cn_id_card', 'A123456（3）']], 'full-width brackets');
  assert.deepEqual(found('香港身份證號碼 A1234563'), [['cn_id_card', 'A1234563']], 'run on, after a label');
  assert.deepEqual(found('身分證字號 A123456789'), [['cn_id_card', 'A123456789']], 'Taiwan, after a label');
  assert.deepEqual(found('澳門居民身份證 1234567(8)'), [['cn_id_card', '1234567(8)']]);
  // A wrong check character, no label where one is needed, a longer identifier.
  for (const s of ['A123456(4) 是编号', 'code A1234563 here', 'serial A123456789', 'version 1234567(8)', 'ref XA123456(3)0', 'id_A123456(3)']) {
    assert.deepEqual(found(s), [], s);
  }
});

test('classified markings, not mentions of secrecy', () => {
  assert.deepEqual(found('机密★5年'), [['classified_marking', '机密★5年']]);
  assert.deepEqual(found('秘密★启用前'), [['classified_marking', '秘密★启用前']]);
  assert.deepEqual(found('密级：绝密'), [['classified_marking', '密级：绝密']]);
  assert.deepEqual(found('商业秘密、机密性与《保守国家秘密法》'), []);
  assert.equal(guard.scan('绝密★长期').level, 'classified');
});

test('secrets: cloud keys, tokens, connection-string passwords, labelled passwords', () => {
  assert.deepEqual(found('key=LTAI5tBcDeFgHiJkLmNoPqRs'), [['secret', 'LTAI5tBcDeFgHiJkLmNoPqRs']]);
  assert.deepEqual(found('postgresql://app:s3cr3t!x@db:5432/crm'), [['secret', 's3cr3t!x']]);
  assert.deepEqual(found('数据库密码：Qwe@1234!'), [['secret', 'Qwe@1234!']]);
  assert.deepEqual(found('password = os.environ["DB_PASSWORD"]'), []);
  assert.deepEqual(found('请输入密码：'), []);
  const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
  assert.deepEqual(found(pem), [['secret', pem]]);
});

test('names: labels, lists, titles; not common words', () => {
  assert.deepEqual(found('参会人员：张伟、王芳、欧阳娜娜'), [['person_name', '张伟'], ['person_name', '王芳'], ['person_name', '欧阳娜娜']]);
  assert.deepEqual(found('请王小明先生签字'), [['person_name', '王小明']]);
  assert.deepEqual(found('公司全体员工安全培训'), []);
});

test('addresses need street-level detail', () => {
  assert.deepEqual(found('地址：北京市朝阳区建国路88号'), [['address', '北京市朝阳区建国路88号']]);
  assert.deepEqual(found('北京市朝阳区人民政府'), []);
});

test('custom terms and source code', () => {
  assert.deepEqual(found('天穹计划由青鸾系统支撑'), [['custom_term', '天穹计划'], ['custom_term', '青鸾系统']]);
  const code = 'def f(x):\n    y = x + 1\n    return y\n';
  assert.deepEqual(found(code).map((f) => f[0]), ['source_code']);
});

test('levels: defaults, overrides, disabled types', () => {
  assert.equal(guard.scan('IP 10.0.0.1').level, 'internal');
  assert.equal(guard.scan('没有敏感信息').level, 'public');
  const strict = createGuard({ levels: { ip_address: 'sensitive' }, disabled: ['cn_mobile'] });
  assert.equal(strict.scan('IP 10.0.0.1').level, 'sensitive');
  assert.deepEqual(strict.scan('13800138000').findings, []);
  assert.throws(() => createGuard({ levels: { ip_address: 'secret' as never } }), /invalid level/);
});

test('a keyword index answers nothing past either end of the text, and the longest keyword inside it', async () => {
  const { KeywordIndex } = await import('../../src/guard/keywords.ts');
  const index = new KeywordIndex(['先生', '先', '女士']);
  assert.equal(index.at('张先生', 3), undefined);
  assert.equal(index.at('张先生', -1), undefined);
  assert.equal(index.at('张先生', 1), '先生');
  assert.equal(index.at('先', 0), '先');
});

test('after a form label with a colon the whole value is the name: four characters with one surname, a middle dot; not a gender or title run on', () => {
  const names = (text: string): string[] => found(text).filter(([t]) => t === 'person_name').map(([, v]) => v);
  assert.deepEqual(names('申请人：易烊千玺'), ['易烊千玺']);
  assert.deepEqual(names('姓名：马克·吐温'), ['马克·吐温']);
  assert.deepEqual(names('参会人员：易烊千玺、张三丰'), ['易烊千玺', '张三丰'], 'a list goes on after a whole field');
  assert.deepEqual(names('姓名：张三丰男'), ['张三丰']);
  assert.deepEqual(names('姓名：张三丰先生'), ['张三丰']);
  assert.deepEqual(names('联系人：王小明明天到'), ['王小明']);
  assert.deepEqual(names('被申请人：郑州市某某物业公司'), [], 'a city with its suffix is no name');
  assert.deepEqual(names('申请人：黄山，男'), ['黄山'], 'a name that is also a city');
  assert.deepEqual(names('李亚鹏母亲：王菲姐姐(同母异父)').slice(-1), ['王菲']);
});

test('a bank account number right after an account label is found though it fails the Luhn check (passbook and corporate accounts); not without the label, nor a card number', () => {
  const cards = (text: string): string[] => found(text).filter(([t]) => t === 'bank_card').map(([, v]) => v);
  assert.deepEqual(cards('账号：0200004109024512737'), ['0200004109024512737']);
  assert.deepEqual(cards('对公账户：110060149018800057321'), ['110060149018800057321']);
  assert.deepEqual(cards('开户行：工商银行，账号：0200001234567890123'), ['0200001234567890123']);
  assert.deepEqual(cards('参考编号 0200004109024512737'), [], 'no label, no Luhn: not a card');
  assert.deepEqual(cards('卡号：6217003810026583949'), [], 'a card number must pass the Luhn check');
  assert.deepEqual(cards('订单号：0200004109024512737'), [], 'an order number');
  assert.deepEqual(cards('账号注册于2019年，编号0200004109024512737'), [], 'the label too far before the number');
});

test('a private key without its footer (pasted in part, or cut off) is still a secret; a header alone is not; one header takes the next footer', () => {
  const body = 'MIIEpAIBAAKCAQEA1c2Xw9k3Lq8ZpR4vT2mN7bY6\nqH0sJ5dK9fW3eC1aG8uB2nX4tV7rL0oP6iM5yS3\n';
  const cut = `-----BEGIN RSA PRIVATE KEY-----\n${body}`;
  assert.deepEqual(found(`密钥如下：\n${cut}\n其余略。`), [['secret', cut.trimEnd()]]);
  assert.deepEqual(found(`${cut}Thanks for the help.`), [['secret', cut.trimEnd()]], 'the words after it are not taken in');
  const oneLine = '-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA1c2Xw9k3Lq8ZpR4v qH0sJ5dK9fW3eC1aG8uB2nX4';
  assert.deepEqual(found(`${oneLine} 请帮我看看`), [['secret', oneLine]], 'a key pasted on one line');
  assert.deepEqual(found('-----BEGIN PRIVATE KEY-----\n（内容略）'), []);
  const twice = `-----BEGIN PRIVATE KEY-----\n-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----`;
  assert.deepEqual(found(twice), [['secret', twice]]);
  // Many headers and no footer: each is read once (a hostile text of 14,000 headers found nothing and took 1.4 s before).
  assert.deepEqual(found('-----BEGIN PRIVATE KEY-----\n'.repeat(2000)), []);
});

test('secrets on a command line and in group-robot webhooks: the password or the token, not the command', () => {
  const secrets = (text: string): string[] => valuesOf(uncached, text, 'secret');
  assert.deepEqual(secrets('mysql -uroot -pS3cret123 -h 10.1.2.3'), ['S3cret123']);
  assert.deepEqual(secrets('mysqldump -uroot -p"Pa ss" db > a.sql'), ['Pa ss']);
  assert.deepEqual(secrets('sshpass -p Passw0rd ssh root@10.0.0.1'), ['Passw0rd']);
  assert.deepEqual(secrets('redis-cli -h 10.0.0.2 -a R3dis!pw'), ['R3dis!pw']);
  assert.deepEqual(secrets('curl -u admin:hunter2 https://x.example.com'), ['hunter2']);
  assert.deepEqual(secrets('飞书机器人 https://open.feishu.cn/open-apis/bot/v2/hook/12345678-1234-1234-1234-123456789012'),
    ['12345678-1234-1234-1234-123456789012']);
  assert.deepEqual(secrets('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'),
    ['693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa']);
  // -p alone prompts for the password, -P is a port, and a sentence about mysql holds no command.
  for (const text of ['mysql -u root -p -h db', 'mysql -uroot -P3306 -p', 'use mysql; -- the -p flag prompts', 'mysql -uroot -ppassword']) {
    assert.deepEqual(secrets(text), [], text);
  }
});

test('the credential of an HTTP Authorization header: Basic user:password in base64, Bearer and Token values', () => {
  const secrets = (text: string): string[] => valuesOf(uncached, text, 'secret');
  assert.deepEqual(secrets('GET /api HTTP/1.1\nAuthorization: Basic YWRtaW46cGFzc3dvcmQ=\nHost: x'), ['YWRtaW46cGFzc3dvcmQ=']);
  assert.deepEqual(secrets('curl -H "Authorization: Bearer 9f8e7d6c5b4a39281706abcdef" https://api.example.com'), ['9f8e7d6c5b4a39281706abcdef']);
  assert.deepEqual(secrets('Proxy-Authorization: basic dXNlcjpzM2NyM3Q='), ['dXNlcjpzM2NyM3Q=']);
  // No colon in what Basic decodes to, a short test value, a template, prose.
  for (const text of ['Authorization: Basic dGVzdA==', "headers: { authorization: 'Bearer token123' }", 'Authorization: Bearer ${TOKEN}',
    'headers: { Authorization: `Bearer ${token}` }', 'the Authorization header carries a Bearer token']) {
    assert.deepEqual(secrets(text), [], text);
  }
});

test('session cookies in a request or response dump are secrets; attributes and short or plain values are not', () => {
  const secrets = (text: string): string[] => valuesOf(uncached, text, 'secret');
  assert.deepEqual(secrets('Cookie: JSESSIONID=8F3A2B1C9D0E4F5A6B7C8D9E0F1A2B3C; lang=zh-CN'), ['8F3A2B1C9D0E4F5A6B7C8D9E0F1A2B3C']);
  assert.deepEqual(secrets('Set-Cookie: token="a1b2c3d4e5f6g7h8i9j0"; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly'),
    ['a1b2c3d4e5f6g7h8i9j0']);
  for (const text of ['Cookie: lang=zh-CN; theme=dark', 'document.cookie = "x=1"', 'Set-Cookie: id=abc; Max-Age=31536000123456789']) {
    assert.deepEqual(secrets(text), [], text);
  }
  // One header line of 100,000 pairs stays linear.
  assert.equal(secrets(`Cookie: ${'k=v; '.repeat(100_000)}`).length, 0);
});

test('a local landline of 7 or 8 digits right after a phone label (电话：62751234); an amount or a count is none', () => {
  const phones = (text: string): string[] => valuesOf(rulesOnly, text, 'cn_landline');
  assert.deepEqual(phones('联系电话：62751234'), ['62751234']);
  assert.deepEqual(phones('办公电话 6275 1234，传真：6275-1235'), ['6275 1234', '6275-1235']);
  assert.deepEqual(phones('电话号码为 88886666'), ['88886666']);
  for (const text of ['电话费：12345678元', '电话：1234567', '共有62751234人', '订单号 62751234', '电话：0123456']) assert.deepEqual(phones(text), [], text);
});

test('此致 (敬礼) closes a letter: its 致 addresses no one', () => {
  const names = (text: string): string[] => valuesOf(rulesOnly, text, 'person_name');
  assert.deepEqual(names('特此函告。\n\n此致 敬礼\n\n办公室'), []);
  assert.deepEqual(names('致 王建国：\n您好'), ['王建国']);
});

test('a mark whose star OCR misread (绝密妇长期) or someone typed as another symbol, alone on its line, is a classified marking', () => {
  const marks = (text: string): string[] => valuesOf(uncached, text, 'classified_marking');
  // As tesseract read pages rendered from the generated corpus (bench:attachments-ocr).
  assert.deepEqual(marks('绝密妇长期\n\n关于进一步加强应急值守工作的通知'), ['绝密妇长期']);
  assert.deepEqual(marks('机密友5年\n关于涉密人员管理工作的通知'), ['机密友5年']);
  assert.deepEqual(marks('  秘密▲1年  \n正文'), ['秘密▲1年']);
  assert.deepEqual(marks('机密 ● 10 年\n正文'), ['机密 ● 10 年']);
  assert.equal(uncached.scan('绝密雪长期\n通知').level, 'classified');
  // Hostile: a numeral where the star stands (a title), two characters, or the same words in running text.
  for (const text of ['绝密十五年\n第一章', '秘密档案长期\n正文', '他保守秘密的5年里', '这是机密友5年的约定', '机密之5年\n正文']) {
    assert.deepEqual(marks(text), [], text);
  }
  // A long line of such marks is no line of one mark, and costs one look per grade.
  assert.deepEqual(marks('机密友5年'.repeat(20_000)), []);
});

test('a grade alone on its line at the head of a document is a classified marking; a grade as a word or an option is not', () => {
  const marks = (text: string): string[] => valuesOf(uncached, text, 'classified_marking');
  assert.deepEqual(marks('绝密\n关于某某工程的报告\n正文……'), ['绝密']);
  assert.deepEqual(marks('请帮我总结：\n\n  秘 密\n\n关于2026年预算的报告'), ['秘 密']);
  assert.equal(uncached.scan('机密\n关于某某工程的报告').level, 'classified');
  // A word in a sentence, a string that is only a grade (an enum value), a list of levels.
  for (const text of ['这是绝密消息哦', '机密', '密级选项：\n公开\n秘密\n机密\n绝密\n请选择一项', '第三章 秘密\n正文']) {
    assert.deepEqual(marks(text), [], text);
  }
  // One line of 100,000 grades is read once per grade, not once per grade per line.
  assert.deepEqual(marks('机密'.repeat(50_000)), []);
});
