import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard } from '../../src/guard/index.ts';
import type { FindingType } from '../../src/guard/index.ts';

// Names and addresses as government and business text writes them: forms laid out with spaces, tabs or table bars,
// tables with a name column, roads named …道 (Tianjin, Hong Kong, Shenzhen), traditional characters, bare room numbers.
const guard = createGuard({ scanCacheEntries: 0 });
const rules = createGuard({ scanCacheEntries: 0, tagger: false });

function found(text: string, type: FindingType, g = guard): string[] {
  return g.scan(text).findings.filter((f) => f.type === type).map((f) => text.slice(f.start, f.end));
}

test('a road named …道 with a house or building number is an address, whole', () => {
  assert.deepEqual(found('被执行人郭建军名下位于天津市南开区鞍山西道233号的房产已查封。', 'address'), ['天津市南开区鞍山西道233号']);
  assert.deepEqual(found('收件人：钱多多 地址：广东省深圳市南山区科技园南区高新南七道R2-B栋3楼', 'address'),
    ['广东省深圳市南山区科技园南区高新南七道R2-B栋3楼']);
  // Found by the rules alone too: a house number stands whatever the tagger says.
  assert.deepEqual(found('住在天津市和平区南京道88号', 'address', rules), ['天津市和平区南京道88号']);
});

test('hostile: a channel, a track or a tunnel with a number is no road', () => {
  for (const text of ['请通过正规渠道12号窗口办理。', '城市轨道1号线今天开通。', '海底隧道3号出口临时封闭。', '他知道12号要开会。']) {
    assert.deepEqual(found(text, 'address'), [], text);
  }
});

test('traditional characters: 號, 樓, 區 end and join an address as their simplified forms do', () => {
  assert.deepEqual(found('姓名：張偉，住址：臺北市大安區忠孝東路四段100號', 'address'), ['臺北市大安區忠孝東路四段100號']);
  assert.deepEqual(found('住在香港九龍旺角彌敦道580號8樓', 'address', rules), ['香港九龍旺角彌敦道580號8樓']);
});

test('a bare room number after a building or unit belongs to the address; a year or a sum after it does not', () => {
  assert.deepEqual(found('帮我给老周写封邮件，他住在朝阳区建国路88号SOHO现代城A座1201', 'address'), ['朝阳区建国路88号SOHO现代城A座1201']);
  assert.deepEqual(found('住址：北京市海淀区学院路30号5栋2单元501', 'address'), ['北京市海淀区学院路30号5栋2单元501']);
  assert.deepEqual(found('住址：北京市海淀区学院路30号5栋2023年搬入', 'address'), ['北京市海淀区学院路30号5栋']);
  assert.deepEqual(found('住址：北京市海淀区学院路30号5栋 300元押金', 'address'), ['北京市海淀区学院路30号5栋']);
});

test('a house number written with a space before 号 is part of the address', () => {
  assert.deepEqual(found('住址：北京市海淀区 中关村大街 27 号', 'address'), ['北京市海淀区 中关村大街 27 号']);
});

test('where an organisation is now (现址为…) starts no address at the label', () => {
  assert.deepEqual(found('该堂于1951年落成，现址为九龙城嘉林边道1号，现任主任牧师为王华灿牧师。', 'address'), ['九龙城嘉林边道1号']);
});

test('a name label with spaces, tabs or table bars instead of a colon: the field is the name', () => {
  for (const text of ['姓名 王小二 性别 男 出生年月 1985.03', '姓名\t王小二\t性别\t男', '| 姓名 | 王小二 | 性别 | 男 |', '联系人 张三 电话 010-62751234']) {
    const names = found(text, 'person_name', rules);
    assert.equal(names.length, 1, text);
    assert.match(names[0], /^(王小二|张三)$/, text);
  }
  assert.deepEqual(found('姓名 王小二', 'person_name', rules), ['王小二']);
});

test('hostile: a word after a colon-less label is no name unless the field ends there', () => {
  assert.deepEqual(found('患者 应当 及时就医', 'person_name', rules), []);
  assert.deepEqual(found('学生 王明明天去学校', 'person_name', rules), []);
  // A table header: the label after 姓名 is the next column's, not a value.
  assert.deepEqual(found('| 姓名 | 性别 | 电话 |', 'person_name', rules), []);
});

test('姓名 spaced out to line up a form, and a name spaced out character by character', () => {
  assert.deepEqual(found('姓　　名：张三丰', 'person_name', rules), ['张三丰']);
  assert.deepEqual(found('姓  名：李娜\n性  别：女', 'person_name', rules), ['李娜']);
  assert.deepEqual(found('姓名：王 建 国，住址：北京市海淀区中关村大街27号', 'person_name'), ['王 建 国']);
});

test('a table with a name column: every cell of it below the header is a name', () => {
  const markdown = '| 姓名 | 部门 | 电话 |\n|---|---|---|\n| 王小二 | 财务处 | 13800138000 |\n| 欧阳明辉 | 办公室 | 无 |\n| 李娜 | 人事处 | 无 |';
  assert.deepEqual(found(markdown, 'person_name', rules), ['王小二', '欧阳明辉', '李娜']);
  const csv = '姓名,部门,职务\n张建国,财务处,处长\n李红梅,办公室,科员\n\n以上名单请核对。';
  assert.deepEqual(found(csv, 'person_name', rules), ['张建国', '李红梅']);
  const tsv = '序号\t负责人\t单位\n1\t赵志强\t市财政局\n2\t钱多多\t市审计局';
  assert.deepEqual(found(tsv, 'person_name', rules), ['赵志强', '钱多多']);  // The cell beside 姓名 in a header is the next column's label, not a value (成绩 is also a surname and a given name).
  assert.deepEqual(found('学号\t姓名\t成绩\n2021001\t王浩然\t95\n2021002\t李思雨\t88', 'person_name', rules), ['王浩然', '李思雨']);
  // A key–value table is no column table: the value beside the label is the name.
  assert.deepEqual(found('| 姓名 | 王小二 |\n| 性别 | 男 |', 'person_name', rules), ['王小二']);
});

test('hostile: prose after a sentence that mentions 姓名 is no table; a table ends where its rows do', () => {
  assert.deepEqual(found('请填写姓名，然后提交。\n王府井，很热闹。', 'person_name', rules), []);
  // A row with another number of cells ends the table: the line after it is prose.
  assert.deepEqual(found('姓名,部门\n张建国,财务处\n王府井,小吃街,很热闹', 'person_name', rules), ['张建国']);
  // A name column's cell that is no name (a place, a long phrase) is left alone.
  assert.deepEqual(found('| 姓名 | 部门 |\n|---|---|\n| 郑州市 | 财务处 |\n| 王某某负责的那一组 | 办公室 |', 'person_name', rules), []);
});

test('hostile: a table of 20,000 rows is read once, every name found', () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `| 王${'一二三四五六七八九'[i % 9]}明 | ${i} |`);
  const text = `| 姓名 | 编号 |\n|---|---|\n${rows.join('\n')}`;
  assert.equal(found(text, 'person_name', rules).length, 20_000);
  // Many headers, each a table of one row: still one pass each.
  const many = Array.from({ length: 5_000 }, () => '| 姓名 | 编号 |\n| 李娜 | 1 |').join('\n\n');
  assert.equal(found(many, 'person_name', rules).length, 5_000);
});

test('hostile: one line of 100,000 labels that is no table is read once', () => {
  const line = `${'姓名|'.repeat(100_000)}这一格超过了十个字所以不是表头`;
  assert.deepEqual(found(line, 'person_name', rules), []);
});

test('towers and software parks: the address runs on to the room', () => {
  assert.deepEqual(found('北京市朝阳区望京SOHO T1-1203', 'address'), ['北京市朝阳区望京SOHO T1-1203']);
  assert.deepEqual(found('广州市天河区体育西路191号中石化大厦B塔2506室', 'address'), ['广州市天河区体育西路191号中石化大厦B塔2506室']);
  assert.deepEqual(found('杭州市西湖区文三路90号东部软件园1号楼', 'address'), ['杭州市西湖区文三路90号东部软件园1号楼']);
});

test('a name before an e-mail address in angle or square brackets (mail headers)', () => {
  assert.deepEqual(found('From: 张伟 <zhangwei@example.com>', 'person_name'), ['张伟']);
  assert.deepEqual(found('发件人：李明 [liming@example.cn]', 'person_name'), ['李明']);
});

test('names in pinyin: after a label or a form of address, or with a two-syllable given name', () => {
  assert.deepEqual(found('姓名/Name: ZHANG WEI 护照号：E12345678', 'person_name'), ['ZHANG WEI']);
  assert.deepEqual(found('Dear Wang Xiaoming, please find attached.', 'person_name'), ['Wang Xiaoming']);
  assert.deepEqual(found('From: Zhang Xiao Ming <zxm@example.com>', 'person_name'), ['Zhang Xiao Ming']);
  assert.deepEqual(found('Attn: Wei Zhang', 'person_name'), ['Wei Zhang']);
  assert.deepEqual(found('The paper by Chen Jianguo was cited.', 'person_name'), ['Chen Jianguo']);
  assert.deepEqual(found('请联系Ouyang Nana处理。', 'person_name'), ['Ouyang Nana']);
  assert.equal(guard.scan('Name: Li Na').findings[0]?.detector, 'names.pinyin');
});

test('hostile: English words, brands, places and identifiers are no pinyin names', () => {
  for (const text of ['Li Ning shoes are popular. He Long was a marshal.', 'We met in Hong Kong and Beijing.', 'Chang Ting Road',
    'const Wang_Xiaoming = 1; Zhang2 Wei', 'HE SAID NO', 'Dear Sir, Dear Team', 'Ma Nature and Fan Tan']) {
    assert.deepEqual(found(text, 'person_name'), [], text);
  }
});

test('names in the Cantonese romanization of Hong Kong and Macao: after a label, or with a two-syllable given name', () => {
  assert.deepEqual(found('Contact: Chan Tai Man, tel 2345 6789', 'person_name'), ['Chan Tai Man']);
  assert.deepEqual(found('Applicant: WONG Ka Kui', 'person_name'), ['WONG Ka Kui']);
  assert.deepEqual(found('Name: CHAN, Tai Man', 'person_name'), ['CHAN, Tai Man'], 'a form\'s comma after the surname');
  assert.deepEqual(found('Mr. Lee Siu-lung will attend.', 'person_name'), ['Lee Siu-lung']);
  assert.deepEqual(found('Peter Pang Ho Fung, a Hong Kong actor', 'person_name'), ['Pang Ho Fung']);
  assert.deepEqual(found('Mr Ho Man will call back.', 'person_name'), ['Ho Man'], 'one syllable after a form of address');
  assert.equal(guard.scan('Signed by Ho Wai Kit').findings[0]?.detector, 'names.cantonese');
});

test('a romanized Chinese surname alone after an English form of address, as 张先生 is read', () => {
  assert.deepEqual(found('Dear Mr. Tsang,', 'person_name'), ['Tsang']);
  assert.deepEqual(found('Prof. Li will chair the session; MS. WONG and Mrs Chan attend.', 'person_name'), ['Li', 'WONG', 'Chan']);
  assert.equal(guard.scan('Ms. He').findings[0]?.detector, 'names.titled');
  for (const text of ['Make the codebase MSAN clean.', 'Dr. Who and Mr. Smith', 'Mr. Wong Says Hello', 'DrLi', 'Mr. Li2']) {
    assert.deepEqual(found(text, 'person_name'), [], text);
  }
});

test('hostile: Hong Kong places, firms and English words in the same syllables are no names', () => {
  for (const text of ['Take the MTR to Wong Tai Sin or Ho Man Tin.', 'Lai Chi Kok Road', 'Lee Kum Kee Group', 'Ho Ho Ho, merry Christmas',
    'Tai Chi and Wing Chun Kung Fu', 'So Long Ago', 'Ode To King Tut', 'Man Mo Temple', 'located at Tsim Sha Tsui', 'Chan Tai Man Estate',
    'const Chan_Tai_Man = 1; Chan2 Tai Man']) {
    assert.deepEqual(found(text, 'person_name'), [], text);
  }
});

test('after a label, a name of parts joined by a middle dot is taken whole, whatever its characters', () => {
  assert.deepEqual(found('负责人：阿卜杜拉·买买提', 'person_name'), ['阿卜杜拉·买买提']);
  assert.deepEqual(found('参会人员：阿卜杜拉·买买提、热依拉·阿不都、王建国', 'person_name', rules), ['阿卜杜拉·买买提', '热依拉·阿不都', '王建国']);
  // The next field's label may follow with no separator.
  assert.deepEqual(found('姓名：朱利叶斯·欧文英文名：Julius', 'person_name', rules), ['朱利叶斯·欧文']);
});

test('a home given by its estate, building and unit or room, with or without a city before it', () => {
  assert.deepEqual(found('快递放到翠苑三区12幢1单元东门口就行', 'address'), ['翠苑三区12幢1单元']);
  assert.deepEqual(found('我家在幸福里小区7栋502，离地铁站很近。', 'address'), ['幸福里小区7栋502']);
  assert.deepEqual(found('我住在上海市徐汇区漕溪北路595号上海电影广场B栋15楼1503室', 'address'), ['上海市徐汇区漕溪北路595号上海电影广场B栋15楼1503室']);
  assert.deepEqual(found('请寄到 湖北省武汉市武昌区中南路99号保利广场写字楼32层', 'address'), ['湖北省武汉市武昌区中南路99号保利广场写字楼32层']);
  assert.deepEqual(found('发货地址：义乌市福田街道商城大道L123号', 'address'), ['义乌市福田街道商城大道L123号']);
});

test('hostile: a count of buildings or households, a year after a building, a numeral before a city, are no address', () => {
  for (const text of ['他住3号楼2023年搬来', '共有12栋1500户居民', '站位于日本岩手县二户市石切所', '一期已交付，二期在建']) {
    assert.deepEqual(found(text, 'address'), [], text);
  }
  // 电话 still ends an address: the number after it is no part of it.
  assert.deepEqual(found('住在北京市海淀区中关村大街27号，联系电话13800138000', 'address'), ['北京市海淀区中关村大街27号']);
});

test('addresses written in English: the road and its number, with the room before and the district and city after', () => {
  assert.deepEqual(found('Address: Room 1203, Block A, No. 88 Jianguo Road, Chaoyang District, Beijing 100022, China', 'address'),
    ['Room 1203, Block A, No. 88 Jianguo Road, Chaoyang District, Beijing 100022, China']);
  assert.deepEqual(found('Ship to 88 Jianguo Rd., Chaoyang Dist., Beijing', 'address'), ['88 Jianguo Rd., Chaoyang Dist., Beijing']);
  assert.deepEqual(found('Flat 5B, 12/F, Tower 2, Times Square, 1 Matheson Street, Causeway Bay, Hong Kong', 'address'),
    ['Flat 5B, 12/F, Tower 2, Times Square, 1 Matheson Street, Causeway Bay, Hong Kong']);
  assert.deepEqual(found('收货地址：Jianguo Road No. 88, Beijing', 'address'), ['Jianguo Road No. 88, Beijing']);
  assert.equal(guard.scan('Ship to 88 Jianguo Rd.').findings[0]?.detector, 'address.en');
});

test('hostile: a road without a number, code and names with numbers are no English address', () => {
  for (const text of ['We walked down Nanjing Road yesterday.', 'for (let i = 0; i < 10; i++) { Way(); }', 'Li Xiang and 3 Zhang Wei',
    'Version 2 of the API', 'See RFC 7231 Section 6']) {
    assert.deepEqual(found(text, 'address'), [], text);
  }
  // A long run of capitalised words and numbers stays linear (no nested backtracking).
  const text = 'Abcdefghijklmnopqrstuvwxyz '.repeat(20_000) + '1 ';
  assert.deepEqual(found(text, 'address'), []);
});

test('a name broken up by spaces or marks after a label is taken whole, whatever the label', () => {
  assert.deepEqual(found('姓名：王-建-国', 'person_name', rules), ['王-建-国']);
  assert.deepEqual(found('姓名：王.建.国，电话另附', 'person_name', rules), ['王.建.国']);
  assert.deepEqual(found('我叫王 建 国，今年30岁', 'person_name', rules), ['王 建 国']);
  // Two characters with one space between, in running text, are read as a padded name (padded.ts), which the tagger
  // judges: the rules alone do not take 赵六 after a label without a colon.
  assert.deepEqual(found('名字叫赵 六', 'person_name'), ['赵 六']);
  assert.deepEqual(found('名字叫赵-六', 'person_name', rules), ['赵-六']);
  // Mixed marks, or a mark and then a run of characters, are no broken-up name.
  assert.deepEqual(found('联系人：张 三-丰', 'person_name', rules), []);
  assert.deepEqual(found('这个名字很好听', 'person_name'), []);
});

test('a sub-number after a house number belongs to the address (12号附3号, 88号之1), not what merely follows it', () => {
  assert.deepEqual(found('家住成都市武侯区人民南路四段12号附3号。', 'address'), ['成都市武侯区人民南路四段12号附3号']);
  assert.deepEqual(found('住址：台北市中山区民生东路88号之1', 'address'), ['台北市中山区民生东路88号之1']);
  assert.deepEqual(found('住址：北京市海淀区学院路30号附近的小区', 'address'), ['北京市海淀区学院路30号']);
});

test('labels of petitions, courts, transport, hospitals, tax, HR and an official document\'s header', () => {
  for (const label of ['信访人', '被执行人', '驾驶人', '乘车人', '就诊人', '纳税人', '受害人', '签发人', '拟稿人', '承办人员', '收款方', '交易对手']) {
    assert.deepEqual(found(`${label}：刘建明`, 'person_name', rules), ['刘建明'], label);
  }
  // A company after such a label is no name.
  assert.deepEqual(found('收款方：北京市某某科技有限公司', 'person_name', rules), []);
});

test('labels of where a person lives, as registers and courts write them, label a street without a house number', () => {
  const guard = createGuard({ scanCacheEntries: 0 });
  for (const label of ['户籍地址', '现住址', '居住地', '经常居住地', '住所地', '户口所在地', '现居地', '居住地址', '暂住地址']) {
    const findings = guard.scan(`${label}：保定市竞秀区建设路`).findings.filter((f) => f.type === 'address');
    assert.deepEqual(findings.map((f) => f.detector), ['address.label'], label);
  }
});
