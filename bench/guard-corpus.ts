/**
 * Labelled corpus generator for the guard benchmarks: meeting minutes, complaint tickets, HR forms,
 * contracts, ops tickets with connection strings, code pastes with keys, notices with 密级 marks, chat
 * requests and hard negatives (order/waybill/invoice numbers, amounts, dates, versions, wrong check digits).
 */
import { Builder, Gen, mulberry32, TENANT_TERMS, Values, makeWrong18 } from './guard-values.ts';
import type { Doc } from './guard-values.ts';

export type { Doc, Label } from './guard-values.ts';
export { TENANT_TERMS } from './guard-values.ts';

type Template = (b: Builder, v: Values, g: Gen) => void;

const DATE = (g: Gen): string => `${g.int(2019, 2026)}年${g.int(1, 12)}月${g.int(1, 28)}日`;

function negatives(b: Builder, g: Gen, v: Values): void {
  const k = g.int(0, 14);
  const items = [
    () => b.t(`订单号：${g.int(2019, 2026)}${g.digits(14)}，`),
    () => b.t(`运单号 SF${g.digits(12)}，`),
    () => b.t(`快递单号：${g.pick(['7730', '4312', '9876'])}${g.digits(11)}；`),
    () => b.t(`发票代码：0440${g.digits(8)}，发票号码：${g.digits(8)}。`),
    () => b.t(`合同金额人民币${g.int(1, 999)},${g.digits(3)},${g.digits(3)}.${g.digits(2)}元（大写：壹佰贰拾万元整）。`),
    () => b.t(`日期：${g.int(2019, 2026)}${String(g.int(1, 12)).padStart(2, '0')}${String(g.int(1, 28)).padStart(2, '0')}，时间 ${g.int(10, 23)}:${g.int(10, 59)}:${g.int(10, 59)}。`),
    () => b.t(`系统版本 v${g.int(1, 9)}.${g.int(0, 20)}.${g.int(0, 99)}，内核 ${g.int(3, 6)}.${g.int(0, 19)}.${g.int(0, 200)}-${g.int(1, 99)}。`),
    () => b.t(`时间戳 ${g.int(1600000000, 1800000000)}${g.digits(3)}。`),
    () => b.t(`校验失败的号码 ${makeWrong18(g)} 不是有效证件。`),
    () => b.t(`客服热线 400-${g.digits(3)}-${g.digits(4)}，或 800-${g.digits(3)}-${g.digits(4)}，95588。`),
    () => b.t(`错误码 0x${g.alnum(8, '0123456789ABCDEF')}，请求ID ${g.alnum(32, '0123456789abcdef')}。`),
    () => b.t(`本合同涉及的商业秘密和技术秘密，双方应保证其机密性，并遵守《中华人民共和国保守国家秘密法》。`),
    () => b.t(`第${g.int(1, 30)}次会议，共${g.int(10, 300)}人参加，同比增长${g.int(1, 99)}.${g.digits(1)}%。`),
    () => b.t(`身份证号码 ${v.badIdCard()} 校验位错误，已退回。`),
    () => b.t(`工单编号 GD${g.digits(12)}，批次号 ${g.digits(10)}。`),
  ];
  items[k]();
}

const meeting: Template = (b, v, g) => {
  if (g.chance(0.4)) b.e('classified_marking', v.marking()).t('\n');
  b.t(`${g.pick(['关于推进数字政府建设的', '第三季度经营分析', '信息化项目评审', '安全生产工作'])}会议纪要\n`);
  b.t(`时间：${DATE(g)} ${g.int(9, 16)}:00\n地点：`).e('address', v.address()).t(g.pick(['会议室', '三楼会议室', '']) + '\n');
  b.t('主持人：').e('person_name', v.name()).t('\n参会人员：');
  const n = g.int(2, 5);
  for (let i = 0; i < n; i++) { if (i) b.t(g.pick(['、', '、', '，'])); b.e('person_name', v.name()); }
  b.t('\n记录人：').e('person_name', v.name()).t('\n');
  b.t('会议听取了项目进展汇报。').e('person_name', v.name()).t(g.pick(['表示', '指出', '强调']) + '，要按期完成系统上线。');
  b.t('会议决定由').e('person_name', v.name()).t(g.pick(['同志', '副局长', '处长'])).t('牵头，联系电话 ').e('cn_mobile', v.mobile()).t('。');
  if (g.chance(0.5)) b.t('请').e('person_name', v.name()).t(g.pick(['主任', '经理', '女士'])).t('于下周前反馈，办公电话').e('cn_landline', v.landline()).t('。');
  if (g.chance(0.5)) negatives(b, g, v);
  if (g.chance(0.3)) b.t(`\n本次会议涉及`).e('custom_term', g.pick(TENANT_TERMS)).t('的部署安排。');
  b.t('\n');
};

const complaint: Template = (b, v, g) => {
  b.t(`投诉工单\n工单号：${g.int(2019, 2026)}${g.digits(10)}\n`);
  b.t('投诉人：').e('person_name', v.name()).t(g.pick(['，', '\n', ' ']));
  b.t(g.pick(['联系电话：', '手机：', '电话 ', '联系方式：'])).e('cn_mobile', v.mobile()).t('\n');
  if (g.chance(0.6)) b.t('身份证号：').e('cn_id_card', v.idCard()).t('\n');
  b.t(g.pick(['住址：', '家庭住址：', '地址：'])).e('address', v.address()).t('\n');
  b.t('投诉内容：');
  if (g.chance(0.5)) b.t('本人车辆（车牌号').e('license_plate', v.plate()).t('）在小区门口被违规收费，');
  b.t(`${g.pick(['物业多次推诿', '快递长期未送达', '供暖温度不达标', '噪音扰民问题未解决'])}，`);
  b.t('要求').e('person_name', v.name()).t(g.pick(['经理', '先生', '女士'])).t('尽快处理。');
  if (g.chance(0.5)) negatives(b, g, v);
  b.t(`\n受理时间：${DATE(g)}，受理人：`).e('person_name', v.name()).t('\n');
};

const hrForm: Template = (b, v, g) => {
  b.t('员工信息登记表\n姓名：').e('person_name', v.name()).t(`    性别：${g.pick(['男', '女'])}    民族：汉\n`);
  b.t('身份证号码：').e('cn_id_card', v.idCard()).t('\n');
  b.t('手机号码：').e('cn_mobile', v.mobile()).t('    电子邮箱：').e('email', v.email()).t('\n');
  b.t('工资卡号：').e('bank_card', v.bankCard()).t(`（${g.pick(['工商银行', '建设银行', '招商银行', '农业银行'])}）\n`);
  b.t('现居住地址：').e('address', v.address()).t('\n');
  b.t('紧急联系人：').e('person_name', v.name()).t(`（${g.pick(['配偶', '父亲', '母亲'])}） 电话：`).e('cn_mobile', v.mobile()).t('\n');
  if (g.chance(0.4)) b.t('护照号码：').e('passport', v.passport()).t('\n');
  if (g.chance(0.3)) { const [l, p] = v.permit(); b.t(l).e('cn_permit', p).t('\n'); }
  if (g.chance(0.15)) b.t('港澳台居民居住证号码：').e('cn_permit', v.residencePermit()).t('\n');
  if (g.chance(0.3)) b.t('车辆：').e('license_plate', v.plate()).t('\n');
  b.t(`入职日期：${DATE(g)}    工号：${g.digits(6)}\n`);
};

const contract: Template = (b, v, g) => {
  b.t(`${g.pick(['技术服务', '采购', '房屋租赁', '软件开发'])}合同\n合同编号：HT-${g.int(2019, 2026)}-${g.digits(4)}\n`);
  b.t(`甲方：${g.pick(['北京云启科技有限公司', '深圳市华信达电子有限公司', '杭州数智网络股份有限公司'])}\n统一社会信用代码：`).e('cn_uscc', v.uscc()).t('\n');
  b.t('法定代表人：').e('person_name', v.name()).t('\n地址：').e('address', v.address()).t('\n');
  b.t('联系电话：').e('cn_landline', v.landline()).t('\n');
  b.t('乙方：').e('person_name', v.name()).t('\n身份证号：').e('cn_id_card', v.idCard()).t('\n');
  b.t('开户银行：中国建设银行\n账号：').e('bank_card', v.bankCard()).t('\n');
  b.t(`合同总金额：人民币${g.int(1, 999)},${g.digits(3)}.00元。`);
  b.t('乙方对在履行合同过程中知悉的甲方商业秘密负有保密义务。');
  if (g.chance(0.6)) negatives(b, g, v);
  b.t('\n');
};

const ops: Template = (b, v, g) => {
  b.t(`【运维工单】${g.pick(['数据库连接失败', '服务器磁盘告警', '网关超时', '证书即将过期'])}\n`);
  b.t('故障主机：').e('ip_address', v.ipv4()).t(g.chance(0.5) ? `:${g.pick(['3306', '5432', '6379', '8080'])}` : '').t('\n');
  const user = g.pick(['root', 'admin', 'app', 'dbuser']);
  const host = v.ipv4();
  const scheme = g.pick(['mysql', 'postgresql', 'redis', 'mongodb']);
  const pw = `${g.alnum(6)}${g.pick(['@', '#', '!', ''])}${g.digits(3)}`;
  b.t(`连接串：${scheme}://${user}:`).e('secret', pw).t('@').e('ip_address', host).t(`:${g.int(1000, 9999)}/prod\n`);
  const [pre, sec, post] = v.secret();
  b.t(pre).e('secret', sec).t(post + '\n');
  if (g.chance(0.5)) b.t('IPv6 地址 ').e('ip_address', v.ipv6()).t(' 也受影响。\n');
  b.t('处理人：').e('person_name', v.name()).t('，联系 ').e('cn_mobile', v.mobile()).t('\n');
  if (g.chance(0.4)) b.t('涉及系统：').e('custom_term', g.pick(TENANT_TERMS)).t('\n');
  if (g.chance(0.5)) b.t(`版本 ${g.int(1, 9)}.${g.int(0, 9)}.${g.int(0, 9)}，日志时间 2024-0${g.int(1, 9)}-1${g.int(0, 9)} 12:3${g.int(0, 9)}:00。\n`);
};

const CODE = [
  (k: string) => `import os\nimport requests\n\nAPI_KEY = "${k}"\n\ndef fetch(url):\n    resp = requests.get(url, headers={"Authorization": f"Bearer {API_KEY}"})\n    return resp.json()\n`,
  (k: string) => `public class UserService {\n    private static final String SECRET = "${k}";\n\n    public User find(long id) {\n        return repo.findById(id).orElse(null);\n    }\n}\n`,
  (k: string) => `const client = new OSS({\n  region: 'oss-cn-hangzhou',\n  accessKeyId: '${k}',\n  bucket: 'prod-data',\n});\nexport async function upload(f) {\n  return client.put(f.name, f.path);\n}\n`,
  (k: string) => `func main() {\n\ttoken := "${k}"\n\tresp, err := http.Get(url)\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tdefer resp.Body.Close()\n}\n`,
];

const codePaste: Template = (b, v, g) => {
  b.t(g.pick(['帮我看看这段代码为什么报错：\n', '请优化下面的代码：\n', '这段代码上线后连接不上，帮忙排查\n']));
  const g2 = g;
  const key = g2.pick([`LTAI${g2.alnum(20)}`, `sk-${g2.alnum(48)}`, `AKID${g2.alnum(32)}`, `ghp_${g2.alnum(36)}`]);
  const tpl = g.int(0, CODE.length - 1);
  const code = CODE[tpl](key);
  const fenced = g.chance(0.6);
  const lang = ['python', 'java', 'javascript', 'go'][tpl];
  const block = fenced ? `\`\`\`${lang}\n${code}\`\`\`` : code.trimEnd();
  const start = b.text.length;
  b.t(block);
  b.labels.push({ type: 'source_code', start, end: b.text.length });
  const ks = block.indexOf(key);
  b.labels.push({ type: 'secret', start: start + ks, end: start + ks + key.length });
  b.t('\n' + g.pick(['谢谢！', '报错信息是 connection refused。', '']) + '\n');
};

const notice: Template = (b, v, g) => {
  b.e('classified_marking', v.marking()).t('\n');
  b.t(`${g.pick(['关于', '关于进一步加强'])}${g.pick(['网络安全检查', '涉密人员管理', '应急值守'])}工作的通知\n`);
  b.t(`各单位：\n为贯彻落实上级要求，现就有关事项通知如下。请各单位严格遵守保密规定，不得在互联网上处理国家秘密。`);
  b.t('联系人：').e('person_name', v.name()).t('，电话：').e('cn_landline', v.landline()).t('。\n');
  if (g.chance(0.5)) b.t('（本文件').e('classified_marking', g.pick(['机密级', '秘密级'])).t('，阅后收回）\n');
  b.t(`${DATE(g)}\n`);
};

const chat: Template = (b, v, g) => {
  const k = g.int(0, 4);
  if (k === 0) b.t('帮我给').e('person_name', v.name()).t('经理写一封邮件，他的邮箱是').e('email', v.email()).t('，告诉他项目延期。');
  else if (k === 1) b.t('我叫').e('person_name', v.name()).t('，手机').e('cn_mobile', v.mobile()).t('，帮我查一下快递到哪了。');
  else if (k === 2) b.t('把这段话翻译成英文：').e('person_name', v.name()).t('先生将于明天抵达').e('address', v.address()).t('。');
  else if (k === 3) b.t('客户').e('person_name', v.name()).t('的银行卡').e('bank_card', v.bankCard()).t('扣款失败，请帮我写一个回复。');
  else b.t('总结一下：').e('custom_term', g.pick(TENANT_TERMS)).t('的预算为').t(`${g.int(100, 999)}万元`).t('，负责人').e('person_name', v.name()).t('。');
  if (g.chance(0.4)) negatives(b, g, v);
  b.t('\n');
};

const negativeDoc: Template = (b, v, g) => {
  const n = g.int(3, 7);
  for (let i = 0; i < n; i++) negatives(b, g, v);
  b.t(g.pick(['本季度营收同比增长12.5%。', '会议强调要守住安全底线。', '请于2024年3月1日前提交材料。', '全市共有1200个网点。']));
  b.t('\n');
};

export const TEMPLATES: Record<string, Template> = {
  meeting, complaint, hr_form: hrForm, contract, ops, code_paste: codePaste, notice, chat, negatives: negativeDoc,
};

/** Generate `count` documents cycling through the templates. */
export function generateCorpus(count: number, seed = 20261129): Doc[] {
  const g = new Gen(mulberry32(seed));
  const v = new Values(g);
  const kinds = Object.keys(TEMPLATES);
  const docs: Doc[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    const b = new Builder();
    TEMPLATES[kind](b, v, g);
    docs.push({ id: `${kind}-${i}`, kind, text: b.text, labels: b.labels });
  }
  return docs;
}
