/**
 * The whole path for what people paste: a table of names, a form laid out with spaces, a pinyin name, an address in
 * English and one on a road named …道, an e-mail written to slip past filters, a database password on a command line,
 * a group-robot webhook, data as developers paste it (escaped JSON, an access log, SQL, English keys), traditional
 * characters, a PDF's spaced text, a JSON list of names, a padded name in a list of attendees and a base64 field.
 * Through the real gateway to an external model (a mock HTTP server): none of these values reaches the model, and the
 * model's answer, which names them by placeholder, comes back to the user whole.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

const PASTE = [
  '请根据下面的材料起草一份通知：',
  '| 姓名 | 部门 | 电话 |',
  '|---|---|---|',
  '| 王小二 | 财务处 | 无 |',
  '| 欧阳明辉 | 办公室 | 无 |',
  '姓名 李红梅 性别 女 籍贯 湖南长沙',
  'Dear Wang Xiaoming, the venue is Room 1203, Block A, No. 88 Jianguo Road, Chaoyang District, Beijing.',
  '材料寄到天津市南开区鞍山西道233号，或发邮件 zhangwei艾特qq点com。',
  '数据库：mysql -uroot -pS3cret123 -h db.internal',
  '群通知：https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a1b-4bc4-97a0-0ec2f1fa5aaa',
  // Data as developers paste it: a log line escaped by json.dumps, an access log, a SQL insert, a record with English keys.
  'INFO payload={"xm": "\\u8d75\\u654f", "dz": "\\u5317\\u4eac\\u5e02\\u671d\\u9633\\u533a\\u5efa\\u56fd\\u8def88\\u53f7"}',
  'GET /api/user?name=%E5%91%A8%E8%8A%B7%E8%8B%A5&page=1 HTTP/1.1',
  "INSERT INTO petition (id, petitioner_name, content) VALUES (17, '宋青书', '反映噪音问题');",
  '{"customerName": "殷素素", "level": "VIP"}',
  // Traditional characters, a PDF's one-space-per-character text, a JSON list of names.
  '聯絡人：黃小明',
  '申 请 人 ： 俞 莲 舟',
  '{"参会人员": ["殷梨亭", "莫声谷"]}',
  // A list of attendees with a two-character name padded to the width of three.
  '出席：宋远桥、张　松、俞岱岩',
  // An API payload's base64 field: 客户张无忌，手机13912345678.
  '{"msgtype":"file","content":"5a6i5oi35byg5peg5b+M77yM5omL5py6MTM5MTIzNDU2Nzg="}',
].join('\n');

const RAW = ['王小二', '欧阳明辉', '李红梅', 'Wang Xiaoming', 'Jianguo Road', '鞍山西道233号', 'zhangwei艾特qq点com', 'S3cret123',
  '693a91f6-7a1b-4bc4-97a0-0ec2f1fa5aaa', '\\u8d75\\u654f', '\\u5efa\\u56fd\\u8def88', '%E5%91%A8%E8%8A%B7%E8%8B%A5', '宋青书', '殷素素', '黃小明', '俞 莲 舟', '殷梨亭', '莫声谷',
  '5a6i5oi35byg5peg5b+M77yM5omL5py6MTM5MTIzNDU2Nzg=', '张　松', '宋远桥', '俞岱岩'];

describe('forms, tables and evasive writing through the gateway to an external model', () => {
  let up: MockUpstream;
  let y: TestYumen;
  let key: string;

  before(async () => {
    up = await startMockUpstream();
    // The model answers with every placeholder it was given, so that the answer names the people and places back.
    up.setDefault((req: RecordedRequest) => {
      const sent = JSON.stringify(req.body.messages ?? '');
      return { content: `已起草：${(sent.match(/〔[^〕]+〕/g) ?? []).join('、')}` };
    });
    y = await startTestYumen({ models: [{ name: 'cloud', provider: 'openai-compatible', base_url: up.baseUrl, zone: 'external' }] });
    key = await y.key('办公厅');
  });
  after(async () => {
    await y.stop();
    await up.close();
  });

  it('sends placeholders for every value and restores them in the answer', async () => {
    const res = await request(`${y.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'cloud', messages: [{ role: 'user', content: PASTE }] }),
    });
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, text);
    assert.equal(res.headers['x-yumen-route'], 'external');
    assert.ok(Number(res.headers['x-yumen-redactions']) >= RAW.length, String(res.headers['x-yumen-redactions']));
    // The body as sent and its messages as the model reads them (where an escape is one backslash, not two).
    const body = up.requests.at(-1)!.body;
    const seen = JSON.stringify(body) + (body.messages as Array<{ content: string }>).map((m) => m.content).join('\n');
    for (const raw of RAW) assert.ok(!seen.includes(raw), `${raw} reached the external model`);
    const answer = JSON.parse(text).choices[0].message.content as string;
    for (const raw of RAW) assert.ok(answer.includes(raw), `${raw} was not restored in the answer: ${answer}`);
  });
});
