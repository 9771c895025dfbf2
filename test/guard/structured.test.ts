import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';
import type { FindingType } from '../../src/guard/index.ts';
import { mulberry32 } from '../helpers/random.ts';

// Personal data as developers and operators paste it: JSON, dicts, query strings, XML, LDAP, CSV and SQL with
// Chinese, English or pinyin keys, and text escaped by the tool that printed it (\u5f20, %E5%BC%A0, \xe5, &#24352;).
// The rules alone must find the names here: the tagger is not asked (tagger: false), so a rule that broke would show.
const rules = createGuard({ scanCacheEntries: 0, tagger: false });
const guard = createGuard({ scanCacheEntries: 0 });

function found(text: string, type: FindingType = 'person_name', g = rules): string[] {
  return g.scan(text).findings.filter((f) => f.type === type).map((f) => text.slice(f.start, f.end));
}

test('a Chinese key of JSON, a dict or a query string is a label: "姓名":"张三", \'联系人\': \'王小二\', 姓名=钱七', () => {
  assert.deepEqual(found('{"姓名":"张三","手机":"13800138000"}'), ['张三']);
  assert.deepEqual(found("{'联系人': '王小二', '负责人': '李大嘴'}"), ['王小二', '李大嘴']);
  assert.deepEqual(found('/api/query?姓名=钱七&电话=1'), ['钱七']);
  assert.deepEqual(found('{"姓名": "欧阳娜娜"}'), ['欧阳娜娜']);
});

test('English and pinyin keys: name, customerName, real_name, displayName, xm, lxr, hzxm; XML tags and attributes; LDAP cn=', () => {
  assert.deepEqual(found('{"id": 7, "name": "赵六", "phone": "13800138000"}'), ['赵六']);
  assert.deepEqual(found('"customerName": "吴十", "real_name": "周九"'), ['吴十', '周九']);
  assert.deepEqual(found('GET /api/user?realName=郑一&age=30 HTTP/1.1'), ['郑一']);
  assert.deepEqual(found('displayName: 欧阳修文\nmail: x@example.com'), ['欧阳修文']);
  assert.deepEqual(found('{"xm":"孙八","sfzh":"x","lxr":"冯三","hzxm":"陈小春"}'), ['孙八', '冯三', '陈小春']);
  assert.deepEqual(found('<patient><xm>王五</xm><name>马克·吐温</name></patient>'), ['王五', '马克·吐温']);
  assert.deepEqual(found('<person id="1" name="李小龙"/>'), ['李小龙']);
  assert.deepEqual(found('$row = ["fzr" => "林小红"];'), ['林小红']);
  assert.deepEqual(found('dn: cn=张三,ou=财务部,dc=example,dc=com'), ['张三']);
});

test('keys that name a role: user=张三 in a log line, operator:, "applicant":, created_by=, To: and Cc:', () => {
  assert.deepEqual(found('2026-12-07 10:01:02 INFO user=张三 action=login ip=10.1.2.3'), ['张三']);
  assert.deepEqual(found('operator: 李四'), ['李四']);
  assert.deepEqual(found('{"applicant": "王五", "status": "ok"}'), ['王五']);
  assert.deepEqual(found('created_by=孙八'), ['孙八']);
  assert.deepEqual(found('To: 赵六; Cc: 钱七'), ['赵六', '钱七']);
  for (const text of ['user: admin', 'from: 北京 to: 上海', 'from: 2024-01-01', 'owner: 财务部']) assert.deepEqual(found(text), [], text);
});

test('addresses after keys: a street-level value is an address even without a house number, as after 住址：', () => {
  assert.deepEqual(found('{"住址":"保定市竞秀区建设路"}', 'address'), ['保定市竞秀区建设路']);
  assert.deepEqual(found('{"address":"保定市竞秀区建设路","phone":"1"}', 'address'), ['保定市竞秀区建设路']);
  assert.deepEqual(found('"homeAddress": "幸福里小区7栋"', 'address'), ['幸福里小区7栋']);
  assert.deepEqual(found('{"jtzz": "翠苑三区12幢"}', 'address'), ['翠苑三区12幢']);
  assert.deepEqual(found('<td>家庭住址</td><td>保定市竞秀区建设路</td>', 'address'), ['保定市竞秀区建设路']);
  assert.deepEqual(found('addr=%E4%BF%9D%E5%AE%9A%E5%B8%82%E7%AB%9E%E7%A7%80%E5%8C%BA%E5%BB%BA%E8%AE%BE%E8%B7%AF', 'address'),
    ['%E4%BF%9D%E5%AE%9A%E5%B8%82%E7%AB%9E%E7%A7%80%E5%8C%BA%E5%BB%BA%E8%AE%BE%E8%B7%AF']);
  // The key is what labels it (address.label, trusted without the tagger), not the place name alone (address.place).
  assert.deepEqual(rules.scan('{"address":"保定市竞秀区建设路"}').findings.map((f) => f.detector), ['address.label']);
  // Addresses of machines are no label of a person's; a value that is no street is no address.
  for (const text of ['{"ip_address": "保定市竞秀区建设路"}', 'mac_addr=保定市竞秀区建设路', 'email_address: 保定市竞秀区建设路']) {
    assert.deepEqual(rules.scan(text).findings.map((f) => f.detector), ['address.place'], text);
  }
  assert.deepEqual(found('{"address": "北京市朝阳区"}', 'address'), []);
});

test('a place the tagger found in quotes is reported without them', () => {
  // Where the tagger's span starts is its own reading (幸福里 or 福里, by training); it never ends in the quote.
  for (const text of ['x: "幸福里小区7栋" y', '见“幸福里小区7栋”']) {
    const quoted = found(text, 'address', guard);
    assert.equal(quoted.length, 1, text);
    assert.match(quoted[0], /福里小区7栋$/, text);
  }
});

test('hostile: keys that name things, values that are no name, code that only declares a name', () => {
  for (const text of [
    '{"city_name": "武汉", "file_name": "张三.docx", "product_name": "李宁", "company_name": "王府井"}',
    '{"name": "王府井百货"}', '{"name":"高亮颜色","nameEn":"Highlight"}', "var nanhaiName = '南海诸岛';",
    'interface User { name: string; realName?: string }', '访问 www.example.gov.cn/name=1', 'cn: 中文', '{"name": "北京市"}',
  ]) assert.deepEqual(found(text), [], text);
});

test('tables with English keys in the header, quoted CSV included; the header\'s neighbour stays a label', () => {
  assert.deepEqual(found('| name | phone |\n|---|---|\n| 郑一 | 138 |\n| 何小二 | 139 |'), ['郑一', '何小二']);
  assert.deepEqual(found('"name","phone"\n"郑二","13800138000"\n"冯三","13900139000"'), ['郑二', '冯三']);
  assert.deepEqual(found('"姓名","电话"\n"张三丰","1"'), ['张三丰']);
  assert.deepEqual(found('id,name,dept\n1,曹雪芹,财务部\n2,北京分公司,x'), ['曹雪芹']);
  // Headers of English words, as spreadsheets export them.
  assert.deepEqual(found('Full Name\tPhone\n张三丰\t13800138000\n李小龙\t13900139000'), ['张三丰', '李小龙']);
  assert.deepEqual(found('No.,Customer Name,City\n1,王大锤,北京\n2,欧阳娜娜,上海'), ['王大锤', '欧阳娜娜']);
  assert.deepEqual(found('| Employee Name | Dept |\n|---|---|\n| 赵敏 | 财务 |'), ['赵敏']);
  assert.deepEqual(found('File Name,Size\n张三.docx,12\n李四,3'), []);
});

test('HTML as copied from a web page\'s source: a label cell and its value cell, a table with a name column, div forms', () => {
  assert.deepEqual(found('<tr><td>姓名</td><td>张三</td><td>电话</td><td>13800138000</td></tr>'), ['张三']);
  assert.deepEqual(found('<td>姓名：</td><td><span>王五</span></td>'), ['王五']);
  assert.deepEqual(found('<div class="label">联系人</div><div class="value">赵六</div>'), ['赵六']);
  const table = '<table><thead><tr><th>序号</th><th>姓名</th><th>部门</th></tr></thead>\n<tbody><tr><td>1</td><td>李四</td><td>财务处</td></tr>\n' +
    '<tr><td>2</td><td>欧阳娜娜</td><td>办公室</td></tr><tr><td>3</td><td>北京分公司</td><td>x</td></tr></tbody></table>';
  assert.deepEqual(found(table), ['李四', '欧阳娜娜']);
  assert.deepEqual(found('<TABLE><TR><TH>name</TH></TR><TR><TD>王小二</TD></TR></TABLE>'), ['王小二']);
  // A header's neighbour is a label; prose after a label's element is no name.
  for (const text of ['<tr><th>姓名</th><th>单位</th><th>职务</th></tr>', '<p>联系人</p><p>请在工作日联系</p>']) assert.deepEqual(found(text), [], text);
  // Many label cells with no table, or one table end far away, are each read once.
  assert.deepEqual(found('<td>姓名</td>'.repeat(100_000)), []);
  assert.deepEqual(found(`${'<td>姓名</td>'.repeat(100_000)}</tr>`), []);
  const rows = Array.from({ length: 50_000 }, () => '<tr><td>张三</td></tr>').join('');
  assert.equal(found(`<table><tr><th>姓名</th></tr>${rows}</table>`).length, 50_000);
});

test('lists of names in structured data: JSON arrays, YAML block lists, comma-separated values; items that are no name are passed over', () => {
  assert.deepEqual(found('{"参会人员": ["张三丰", "李小龙", "王大锤"]}'), ['张三丰', '李小龙', '王大锤']);
  assert.deepEqual(found('"members": ["财务部", "张三丰"]'), ['张三丰']);
  assert.deepEqual(found('attendees: [赵敏, 周芷若]'), ['赵敏', '周芷若']);
  assert.deepEqual(found('"names": "张三丰,李小龙"'), ['张三丰', '李小龙']);
  assert.deepEqual(found('联系人:\n  - 张三丰\n  - 李小龙\nother: 1'), ['张三丰', '李小龙']);
  // Prose lists after a Chinese label read as before (the last name before 等 included).
  assert.deepEqual(found('参会人员：张三丰、李小龙、王大锤等'), ['张三丰', '李小龙', '王大锤']);
  for (const text of ['"tags": ["北京", "上海"]', 'users: []', '"cities": "武汉,北京"']) assert.deepEqual(found(text), [], text);
  assert.deepEqual(found('"name": "张三丰,"'), ['张三丰']);
  // Long lists stay linear: 100,000 items, and 100,000 items that are no name.
  assert.equal(found(`"members": [${Array(100_000).fill('"张三"').join(', ')}]`).length, 100_000);
  assert.deepEqual(found(`"members": [${Array(100_000).fill('x').join(',')}]`), []);
});

test('labels as markdown, brackets, notes and glosses write them, and values in emphasis or code', () => {
  const cases: Array<[string, string]> = [
    ['**姓名**：张三丰', '张三丰'], ['__联系人__：郭靖', '郭靖'], ['【姓名】李小龙', '李小龙'], ['姓名【王大锤】', '王大锤'],
    ['姓名（必填）：周芷若', '周芷若'], ['姓名/Name：杨过', '杨过'], ['姓名：**黄蓉**', '黄蓉'], ['联系人：`欧阳锋`', '欧阳锋'],
  ];
  for (const [text, name] of cases) assert.deepEqual(found(text), [name], text);
  // A note that is no note, and a bracket that holds no name.
  for (const text of ['姓名(张三)的格式', '【姓名】请填写真实姓名']) assert.deepEqual(found(text), [], text);
});

test('a name in Chinese after an English word: Please contact 张无忌, Dear 王建国, Mr. 李明; not a place or a word', () => {
  assert.deepEqual(found('Please contact 张无忌 at ext 1234'), ['张无忌']);
  assert.deepEqual(found('Dear 王建国,'), ['王建国']);
  assert.deepEqual(found('Mr. 李明 will attend'), ['李明']);
  assert.deepEqual(found('Hi 孙悦,'), ['孙悦']);
  assert.deepEqual(found('Thanks, 刘洋'), ['刘洋']);
  assert.deepEqual(found('Best regards,\n陈静'), ['陈静']);
  for (const text of ['call 北京 office', 'Dear 用户', 'meet 上海 team', 'contact 客服', 'hello 北京']) assert.deepEqual(found(text), [], text);
});

test('a mention in a group chat or a comment: @张伟 明天开会; not an e-mail address or @所有人', () => {
  assert.deepEqual(found('@张伟 明天开会'), ['张伟']);
  assert.deepEqual(found('@黄磊 please review'), ['黄磊']);
  for (const text of ['发邮件到 zw@example.com', '@所有人 注意', '@张伟明天开会']) assert.deepEqual(found(text), [], text);
});

test('a label with 签字 or 签名 after it: 经办人签字：王大力; not a sentence about signing', () => {
  assert.deepEqual(found('经办人签字：王大力'), ['王大力']);
  assert.deepEqual(found('申请人签名：刘小红'), ['刘小红']);
  assert.deepEqual(found('申请人签名确认后生效'), []);
});

test('a pinyin name after a Chinese label, a quoted name before an e-mail or a phone', () => {
  assert.deepEqual(found('持卡人：ZHANG SAN', 'person_name', guard), ['ZHANG SAN']);
  assert.deepEqual(found('户名: LI NA'), ['LI NA']);
  assert.deepEqual(found('From: "张伟" <zw@example.com>'), ['张伟']);
  assert.deepEqual(found("'王芳' 13800138000"), ['王芳']);
});

test('SQL: the name columns of INSERT … (columns) VALUES rows, escaped quotes and NULLs included', () => {
  assert.deepEqual(found("INSERT INTO t (id, xm, sfzh) VALUES (1, '孙八', 'x'), (2, '欧阳娜娜', NULL), (3, 'O''Brien', 'y');"),
    ['孙八', '欧阳娜娜']);
  assert.deepEqual(found('insert into `user` (`name`,`phone`) values ("李小龙","13800138000");'), ['李小龙']);
  assert.deepEqual(found("INSERT INTO users (姓名, 电话) VALUES ('王大锤', '1')"), ['王大锤']);
  assert.deepEqual(found("UPDATE users SET name = '赵敏' WHERE id = 3"), ['赵敏']);
  // No name column, a value that is no name, a value with a quote in it.
  assert.deepEqual(found("INSERT INTO t (id, dept) VALUES (1, '张三')"), []);
  assert.deepEqual(found("INSERT INTO t (name) VALUES ('北京分公司'), ('张三\\'s')"), []);
});

test('hostile sizes: 100,000 rows of one INSERT, and 200,000 INSERT heads that never close, stay linear', () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => `(${i}, '张三')`).join(', ');
  assert.equal(found(`INSERT INTO t (id, name) VALUES ${rows};`).length, 100_000);
  assert.deepEqual(found('insert into t ('.repeat(200_000)), []);
  assert.deepEqual(found(`insert into t (${'name,'.repeat(100_000)}`), []);
});

test('escaped text is read as what it says, and what leaves is the placeholder in place of the whole escape', () => {
  const cases: Array<[string, FindingType, string]> = [
    ['{"name": "\\u5f20\\u4e09", "phone": "13800138000"}', 'person_name', '\\u5f20\\u4e09'],
    ['GET /api/user?name=%E5%BC%A0%E4%B8%89&x=1', 'person_name', '%E5%BC%A0%E4%B8%89'],
    ['addr=%E5%8C%97%E4%BA%AC%E5%B8%82%E6%9C%9D%E9%98%B3%E5%8C%BA%E5%BB%BA%E5%9B%BD%E8%B7%AF88%E5%8F%B7', 'address',
      '%E5%8C%97%E4%BA%AC%E5%B8%82%E6%9C%9D%E9%98%B3%E5%8C%BA%E5%BB%BA%E5%9B%BD%E8%B7%AF88%E5%8F%B7'],
    // Python bytes: 姓名：张三 (its full-width colon folds as if written plainly).
    ["b'\\xe5\\xa7\\x93\\xe5\\x90\\x8d\\xef\\xbc\\x9a\\xe5\\xbc\\xa0\\xe4\\xb8\\x89'", 'person_name', '\\xe5\\xbc\\xa0\\xe4\\xb8\\x89'],
    ['联系人：&#24352;&#19977;', 'person_name', '&#24352;&#19977;'],
    ['联系人：&#x5F20;&#x4E09;', 'person_name', '&#x5F20;&#x4E09;'],
    ['邮箱 zhang&#64;example.com', 'email', 'zhang&#64;example.com'],
    ['email=zhang%40example.com', 'email', 'zhang%40example.com'],
    ['name=%u5F20%u4E09', 'person_name', '%u5F20%u4E09'],
    // Quoted-printable, as in a mail's source.
    ['Content-Transfer-Encoding: quoted-printable\n\n=E5=A7=93=E5=90=8D=EF=BC=9A=E5=BC=A0=E4=B8=89', 'person_name', '=E5=BC=A0=E4=B8=89'],
    ['手机%EF%BC%9A%E2%91%A0%E2%91%A2800138000', 'cn_mobile', '%E2%91%A0%E2%91%A2800138000'],
    // GBK in the URLs of legacy sites, and a mail header's encoded words (base64 and Q, UTF-8 and GB2312).
    ['GET /search?name=%D5%C5%C8%FD&x=1 HTTP/1.1', 'person_name', '%D5%C5%C8%FD'],
    ['From: =?UTF-8?B?5byg5LiJ?= <zhangsan@example.com>', 'person_name', '=?UTF-8?B?5byg5LiJ?='],
    ['From: =?gb2312?B?1cXI/Q==?= <zs@example.com>', 'person_name', '=?gb2312?B?1cXI/Q==?='],
    ['收件人: =?UTF-8?Q?=E6=9D=8E=E5=9B=9B?=', 'person_name', '=?UTF-8?Q?=E6=9D=8E=E5=9B=9B?='],
  ];
  for (const [text, type, value] of cases) {
    assert.deepEqual(found(text, type), [value], text);
    const vault = new Vault();
    const safe = vault.pseudonymize(text, guard.scan(text).findings);
    assert.ok(!safe.includes(value), safe);
    assert.equal(vault.restore(safe), text);
  }
});

test('hostile: 20,000 mail-header words with made-up charsets decode to nothing', () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `=?x-made-up-${i}?B?5byg5LiJ?=`).join(' ');
  assert.deepEqual(rules.scan(text).findings, []);
});

test('hostile: what only looks like an escape is left as it is', () => {
  for (const text of ['a=1&b=2&c=%zz&d=%', '增长了100%EF', '\\u00', '%C0%80%E5%BC', '&#;&#x;&#99999999;', 'x==E5=BC', 'printf("%2d%%")', '%ED%A0%80',
    '=?nosuchcharset?B?5byg5LiJ?=', '=?UTF-8?B??=', 'a=?b?c']) {
    assert.deepEqual(rules.scan(text).findings, [], text);
  }
});

test('property: random mixtures of keys, quotes, brackets, tags, SQL and escapes never throw, and every finding lies inside the text', () => {
  const rand = mulberry32(28);
  const pool = ['"', "'", ':', '=', ',', '[', ']', '(', ')', ' ', '\n', '  - ', 'name', 'Name', 'xm', 'user', 'members', 'cn', 'address',
    '姓名', '联系人', '住址', '张三', '欧阳娜娜', '北京市', '建设路', '88号', 'insert into t (', 'values', '<td>', '</td>', '<tr>', '</tr>',
    '<th>', '%E5%BC%A0', '%D5%C5', '\\u5f20', '&#24352;', '=?UTF-8?B?5byg5LiJ?=', '陳', '张 三 ', '1 1 0 1 ', 'X', 'Dear ', '**', '【', '】'];
  for (let round = 0; round < 3000; round++) {
    let text = '';
    const len = 1 + Math.floor(rand() * 40);
    for (let i = 0; i < len; i++) text += pool[Math.floor(rand() * pool.length)];
    const { findings } = guard.scan(text);
    for (const f of findings) assert.ok(f.start >= 0 && f.start < f.end && f.end <= text.length, JSON.stringify([text, f]));
    const vault = new Vault();
    assert.equal(vault.restore(vault.pseudonymize(text, findings)), text, JSON.stringify(text));
  }
});

test('travel permits under the keys of APIs and database schemas: hkmPermit, twPermit, permit_no, gatxzhm', () => {
  const permits = (text: string): string[] => rules.scan(text).findings.filter((f) => f.type === 'cn_permit').map((f) => text.slice(f.start, f.end));
  assert.deepEqual(permits('{"hkmPermit": "C12345678", "twPermit": "T12345678"}'), ['C12345678', 'T12345678']);
  assert.deepEqual(permits('permit_no=H12345678&x=1'), ['H12345678']);
  assert.deepEqual(permits("INSERT INTO t (gatxzhm) VALUES ('C98765432');"), ['C98765432']);
  // A permit key with no permit number beside it, and a number with no key.
  assert.deepEqual(permits('{"permitCount": 12345678, "orderNo": "C12345678"}'), []);
});
