/**
 * Value generators for the guard corpus (see guard-corpus.ts): valid IDs, phones, cards, codes, names,
 * addresses, secrets and markings in the formats people actually write. Seeded, so a
 * run is reproducible. Values are valid where the real thing is (check digits, Luhn, ranges).
 */
import type { FindingType } from '../src/guard/index.ts';
import { idCardCheckChar, luhnValid, usccCheckChar } from '../src/guard/index.ts';
import { mulberry32 } from '../test/helpers/random.ts';

export { mulberry32 };

export interface Label { type: FindingType; start: number; end: number }
export interface Doc { id: string; kind: string; text: string; labels: Label[] }

class Gen {
  constructor(readonly r: () => number) {}
  int(lo: number, hi: number): number { return lo + Math.floor(this.r() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.r() * xs.length)]; }
  chance(p: number): boolean { return this.r() < p; }
  digits(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(0, 9)); return s; }
  alnum(n: number, chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = ''; for (let i = 0; i < n; i++) s += chars[this.int(0, chars.length - 1)]; return s;
  }
}

class Builder {
  text = '';
  labels: Label[] = [];
  t(s: string): this { this.text += s; return this; }
  e(type: FindingType, s: string): this {
    this.labels.push({ type, start: this.text.length, end: this.text.length + s.length });
    this.text += s;
    return this;
  }
}

const REGIONS = ['110101', '110105', '110108', '310104', '310115', '440305', '440106', '440304', '320102', '320506',
  '330106', '330110', '510107', '420106', '370102', '370203', '500103', '610113', '210102', '350203', '430104',
  '120101', '130102', '410105', '340104', '360102', '450103', '530102', '620102', '650102', '150102', '220102',
  '230102', '140105', '520102', '640104', '460106', '630104', '540102'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';
const COMPOUND = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '司徒', '夏侯', '令狐'];
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红华建国文辉力斌鹏宇浩凯健俊帆帅旭宁龙林欣佳怡婷雪琳晶颖倩慧洁莉蕾薇燕玲丹萌梦瑶琪璐露悦欢晨阳春秋冬梅松峰岩山海波江云飞翔鸣志远博学思睿哲诚信德仁义智良善美福荣昌盛兴达顺安康泰祥瑞吉庆嘉乐永新凤彩琴素珍淑惠巧爱妮婉雅韵馨蓉莹菲媛妍姗婕珊琼瑾璇琦瑜钰晓小子亮光耀辰宸轩逸然泽涵铭皓晟昊煜烨森楠桐杨柳枫梓彬彦豪勋骏驰腾跃锋鑫锦彤朝晖曦昕芸芬芝茜莎萱蕊荷莲竹振宏奇雨佩若依诗语可沐晴晗卓筱茹心妙芷苗蓓菁钧锐毅恒润淳涌澜灿熙爽玮瑞琛甜畅盈硕祺禾程立章笑纯绍维翰聪胜舟航艺芮茂蔚虹轶迪遥钊鸿黎凌斯宜佑伦';
const PROVINCE_CITY: Array<[string, string, string[]]> = [
  ['北京市', '', ['朝阳区', '海淀区', '东城区', '西城区', '丰台区', '通州区']],
  ['上海市', '', ['浦东新区', '徐汇区', '静安区', '黄浦区', '闵行区']],
  ['广东省', '深圳市', ['南山区', '福田区', '宝安区', '龙岗区']],
  ['广东省', '广州市', ['天河区', '越秀区', '海珠区', '番禺区']],
  ['浙江省', '杭州市', ['西湖区', '滨江区', '余杭区', '拱墅区']],
  ['江苏省', '南京市', ['鼓楼区', '玄武区', '江宁区']],
  ['江苏省', '苏州市', ['工业园区', '姑苏区', '吴中区']],
  ['四川省', '成都市', ['武侯区', '锦江区', '高新区', '青羊区']],
  ['湖北省', '武汉市', ['洪山区', '江汉区', '武昌区']],
  ['山东省', '济南市', ['历下区', '市中区', '槐荫区']],
  ['陕西省', '西安市', ['雁塔区', '碑林区', '未央区']],
  ['重庆市', '', ['渝中区', '江北区', '渝北区']],
  ['河南省', '郑州市', ['金水区', '二七区', '中原区']],
  ['福建省', '厦门市', ['思明区', '湖里区']],
  ['湖南省', '长沙市', ['岳麓区', '芙蓉区', '天心区']],
];
const ROADS = ['建国路', '中山路', '人民路', '解放大道', '长安街', '科技园南路', '文三路', '天府大道', '珠江东路', '南京西路',
  '深南大道', '学院路', '金融街', '和平路', '五一路', '北京东路', '新华路', '青年路', '东风路', '花园路', '朝阳门北大街'];
const COMMUNITIES = ['阳光花园', '幸福小区', '金色家园', '翠湖苑', '望京SOHO', '华润大厦', '绿地中心', '锦绣新村', '碧桂园', '万科城'];
const MOBILE_PREFIX = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '145', '147', '150', '151', '152',
  '153', '155', '156', '157', '158', '159', '162', '165', '166', '167', '170', '171', '172', '173', '175', '176', '177',
  '178', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '190', '191', '192', '193', '195', '196',
  '197', '198', '199'];
const AREA = ['010', '021', '020', '022', '023', '024', '025', '027', '028', '029', '0755', '0571', '0512', '0531', '0371',
  '0731', '0591', '0592', '0851', '0871', '0898', '0471'];
const BINS = ['622202', '622848', '621700', '622588', '621483', '622260', '621661', '623668', '622609', '621226', '625907'];
const EMAIL_DOMAINS = ['qq.com', '163.com', '126.com', 'sina.com', 'gmail.com', 'outlook.com', 'example.gov.cn',
  'corp-example.com.cn', 'mail.example.edu.cn', 'foxmail.com'];
const PLATE_PROV = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const PLATE_LET = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const COMPANIES = ['北京云启科技有限公司', '深圳市华信达电子有限公司', '杭州数智网络股份有限公司', '上海浦江物流有限公司',
  '成都蜀源软件有限公司', '南京金陵建设集团有限公司'];
export const TENANT_TERMS = ['天穹计划', '青鸾系统', '玄武项目', '北辰客户管理平台', '星河一号', '昆仑数据中台', 'Project Aurora',
  '鲲鹏二期', '华夏能源集团', '东方明珠实业', '启明OA', '烽火台监控系统'];

function sep<T extends string>(g: Gen, options: T[]): T { return g.pick(options); }

export class Values {
  constructor(readonly g: Gen) {}
  name(): string {
    const g = this.g;
    const s = g.chance(0.05) ? g.pick(COMPOUND) : SURNAMES[g.int(0, Math.min(SURNAMES.length - 1, g.chance(0.7) ? 60 : 400))];
    const n = g.chance(0.6) ? 2 : 1;
    let given = '';
    for (let i = 0; i < n; i++) given += GIVEN[g.int(0, GIVEN.length - 1)];
    return s + given;
  }
  idCard(fmt = true): string {
    const g = this.g;
    const y = g.int(1950, 2006);
    const m = String(g.int(1, 12)).padStart(2, '0');
    const d = String(g.int(1, 28)).padStart(2, '0');
    const body = g.pick(REGIONS) + y + m + d + g.digits(3);
    let id = body + idCardCheckChar(body);
    if (id.endsWith('X') && g.chance(0.2)) id = id.slice(0, 17) + 'x';
    if (fmt && g.chance(0.1)) id = `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`;
    return id;
  }
  badIdCard(): string {
    const id = this.idCard(false);
    const c = id[17] === '0' ? '1' : String((Number(id[17] === 'X' || id[17] === 'x' ? 0 : id[17]) + 3) % 10);
    return id.slice(0, 17) + (c === idCardCheckChar(id) ? '5' : c);
  }
  mobile(): string {
    const g = this.g;
    const n = g.pick(MOBILE_PREFIX) + g.digits(8);
    const f = g.int(0, 9);
    if (f <= 4) return n;
    if (f === 5) return `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
    if (f === 6) return `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
    if (f === 7) return `+86 ${n}`;
    if (f === 8) return `+86-${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
    return `0086${n}`;
  }
  landline(): string {
    const g = this.g;
    const a = g.pick(AREA);
    const sub = String(g.int(2, 8)) + g.digits(a.length === 3 ? 7 : g.chance(0.8) ? 7 : 6);
    const f = g.int(0, 5);
    let s = f <= 2 ? `${a}-${sub}` : f === 3 ? `(${a})${sub}` : f === 4 ? `${a} ${sub}` : `${a}${sub}`;
    if (g.chance(0.15)) s += g.chance(0.5) ? `-${g.digits(4)}` : `转${g.digits(3)}`;
    return s;
  }
  bankCard(): string {
    const g = this.g;
    let body: string;
    const k = g.int(0, 9);
    if (k <= 6) body = g.pick(BINS) + g.digits(g.chance(0.5) ? 9 : 12);
    else if (k <= 8) body = '4' + g.digits(14);
    else body = String(g.int(51, 55)) + g.digits(13);
    for (let c = 0; c <= 9; c++) if (luhnValid(body + c)) { body += c; break; }
    const f = g.int(0, 3);
    if (f === 0) return body.replace(/(\d{4})(?=\d)/g, '$1 ');
    if (f === 1 && body.length === 16) return body.replace(/(\d{4})(?=\d)/g, '$1-');
    return body;
  }
  uscc(): string {
    const g = this.g;
    const b = g.pick(['9', '9', '9', '1', '5']) + g.pick(['1', '2', '3']) + g.pick(REGIONS) +
      g.alnum(9, '0123456789ABCDEFGHJKLMNPQRTUWXY');
    return b + usccCheckChar(b);
  }
  email(): string {
    const g = this.g;
    const user = g.pick(['zhangwei', 'li.na', 'wang_fang', 'liuyang88', 'chenjing', 'service', 'hr.dept', 'yang.lei2023', 'zhao_min']) +
      (g.chance(0.5) ? String(g.int(1, 999)) : '');
    return `${user}@${g.pick(EMAIL_DOMAINS)}`;
  }
  ipv4(): string {
    const g = this.g;
    const k = g.int(0, 3);
    if (k === 0) return `192.168.${g.int(0, 255)}.${g.int(1, 254)}`;
    if (k === 1) return `10.${g.int(0, 255)}.${g.int(0, 255)}.${g.int(1, 254)}`;
    if (k === 2) return `172.${g.int(16, 31)}.${g.int(0, 255)}.${g.int(1, 254)}`;
    return `${g.int(36, 223)}.${g.int(0, 255)}.${g.int(0, 255)}.${g.int(1, 254)}`;
  }
  ipv6(): string {
    const g = this.g;
    const h = (): string => g.int(0, 0xffff).toString(16);
    return g.pick([`2001:db8:${h()}::${h()}`, `fe80::${h()}:${h()}:${h()}:${h()}`, `240e:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}`]);
  }
  passport(): string {
    const g = this.g;
    return g.pick([`E${g.digits(8)}`, `E${g.pick([...'ABCDEFGHJK'])}${g.digits(7)}`, `G${g.digits(8)}`]);
  }
  permit(): [string, string] {
    const g = this.g;
    return g.pick([
      ['往来港澳通行证号码：', `C${g.digits(8)}`],
      ['港澳通行证：', `C${g.pick([...'ABCDEFGHJK'])}${g.digits(7)}`],
      ['台湾通行证号：', `L${g.digits(8)}`],
      ['回乡证号码：', `H${g.digits(10)}`],
    ] as Array<[string, string]>);
  }
  residencePermit(): string {
    const g = this.g;
    const body = g.pick(['810000', '820000', '830000']) + g.int(1960, 2000) + String(g.int(1, 12)).padStart(2, '0') +
      String(g.int(1, 28)).padStart(2, '0') + g.digits(3);
    return body + idCardCheckChar(body);
  }
  plate(): string {
    const g = this.g;
    const p = PLATE_PROV[g.int(0, PLATE_PROV.length - 1)] + PLATE_LET[g.int(0, 10)];
    const k = g.int(0, 4);
    if (k === 0) return `${p}${g.pick(['D', 'F'])}${g.alnum(1, 'ABCDEFGHJK0123456789')}${g.digits(4)}`;
    if (k === 1) return `${p}·${g.digits(3)}${g.alnum(2, 'ABCDEFGHJKLMN0123456789')}`;
    return `${p}${g.digits(2)}${g.alnum(1, 'ABCDEFGHJKLMN')}${g.digits(2)}`;
  }
  address(): string {
    const g = this.g;
    const [prov, city, dists] = g.pick(PROVINCE_CITY);
    let s = '';
    if (g.chance(0.7)) s += prov;
    s += city;
    s += g.pick(dists);
    if (g.chance(0.3)) s += g.pick(['花园街道', '望京街道', '粤海街道', '长安镇']);
    s += g.pick(ROADS) + `${g.int(1, 999)}号`;
    if (g.chance(0.6)) {
      s += g.pick(COMMUNITIES);
      const k = g.int(0, 2);
      if (k === 0) s += `${g.int(1, 30)}号楼${g.int(1, 6)}单元${g.int(1, 30)}0${g.int(1, 4)}室`;
      else if (k === 1) s += `${g.pick(['A', 'B', 'C'])}座${g.int(1, 40)}层`;
      else s += `${g.int(1, 30)}栋${g.int(101, 2504)}室`;
    }
    return s;
  }
  secret(): [string, string, string] {
    const g = this.g;
    const a = (n: number) => g.alnum(n);
    return g.pick<[string, string, string]>([
      ['AccessKeyId: ', `LTAI${a(20)}`, ''],
      ['SecretId=', `AKID${a(32)}`, ''],
      ['aws_access_key_id = ', `AKIA${g.alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, ''],
      ['OPENAI_API_KEY=', `sk-proj-${a(48)}`, ''],
      ['"api_key": "', `sk-ant-api03-${a(86)}`, '"'],
      ['token: ', `ghp_${a(36)}`, ''],
      ['GITLAB_TOKEN=', `glpat-${a(20)}`, ''],
      ['Authorization: Bearer ', `eyJhbGciOiJIUzI1NiJ9.eyJ${a(40)}.${a(43)}`, ''],
      ['密码：', `${g.pick(['Abc', 'Qwe', 'Zxc', 'Yumen'])}@${g.digits(4)}${g.pick(['!', '#', ''])}`, ''],
      ['password=', `${a(6)}${g.digits(3)}`, ''],
      ['AK：', `${g.alnum(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`, ''],
      ['secret_key = "', `${a(40)}`, '"'],
      ['百度 ALTAK：', `ALTAK${a(20)}`, ''],
    ]);
  }
  marking(): string {
    const g = this.g;
    return g.pick(['机密★5年', '秘密★1年', '绝密★长期', '机密★启用前', '秘密★10年', '密级：机密', '密级：秘密', '绝密★20年',
      '机密 ★ 启用前', '【机密】', '秘密★', '密级：绝密★30年']);
  }
}

export function makeWrong18(g: Gen): string {
  for (;;) {
    const s = g.digits(18);
    if (!/^(?:[1-6]\d)/.test(s)) continue;
    return s;
  }
}
export { Gen, Builder };
