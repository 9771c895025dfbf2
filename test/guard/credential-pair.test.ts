import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard } from '../../src/guard/index.ts';

const guard = createGuard();

function secrets(text: string): string[] {
  return guard.scan(text).findings.filter((f) => f.type === 'secret').map((f) => text.slice(f.start, f.end));
}

const ALI_ID = 'LTAI5tQ7nXbK2mPz9RdW4hYc';
const ALI_SECRET = 'kF8sQ2xVb7NwLr4TzPm9HcJd3GyEaU';

test('the unprefixed secret half beside its key id, as a call argument', () => {
  assert.deepEqual(secrets(`auth = oss2.Auth('${ALI_ID}', '${ALI_SECRET}')`), [ALI_ID, ALI_SECRET]);
  const tencentId = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA';
  const tencentKey = 'Gu5t9xGARNpq86cd98joQYCN3Cozk1qA';
  assert.deepEqual(secrets(`cred = credential.Credential("${tencentId}", "${tencentKey}")`), [tencentId, tencentKey]);
  const awsId = 'AKIAQ3EGRZLN4XKTM2PB';
  const awsKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
  assert.deepEqual(secrets(`s = boto3.Session("${awsId}", "${awsKey}")`), [awsId, awsKey]);
  const baiduId = 'ALTAKxP3mQ9vR2sT7wYz4B';
  const baiduKey = 'c8f2e91b7d4a4f6e9b3c0a5d8e7f1a2b';
  assert.deepEqual(secrets(`config = BceClientConfiguration(credentials=BceCredentials('${baiduId}', '${baiduKey}'))`), [baiduId, baiduKey]);
});

test('a secret a few lines after its key id, in an assignment without a secret-like name', () => {
  const code = `const client = new OSS({\n  region: 'oss-cn-hangzhou',\n  accessKeyId: '${ALI_ID}',\n  k2: '${ALI_SECRET}',\n});`;
  assert.deepEqual(secrets(code), [ALI_ID, ALI_SECRET]);
});

test('key ids as OCR reads them off a screenshot (LTAl…, AK1D…: I, l and 1 look alike), and the secret beside them', () => {
  const misread = ALI_ID.replace('LTAI', 'LTAl');
  assert.deepEqual(secrets(`auth = oss2.Auth('${misread}', '${ALI_SECRET}')`), [misread, ALI_SECRET]);
  assert.deepEqual(secrets('AK1Dz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA'), ['AK1Dz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA']);
  assert.deepEqual(secrets('AKlAQ3EGRZLN4XKTM2PB'), ['AKlAQ3EGRZLN4XKTM2PB']);
  // Hostile: the misread prefix is no secret by itself, nor with too short a body.
  for (const text of ['LTAl is not a key', 'LTA1 2024 report', 'AKlD12345']) assert.deepEqual(secrets(text), [], text);
});

test('hostile: hashes, UUIDs and base64 data beside a key id or alone are not secrets', () => {
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const uuid = '123e4567-e89b-12d3-a456-426614174000';
  assert.deepEqual(secrets(`id = '${ALI_ID}'\nchecksum = '${md5}'\nrequest_id = '${uuid}'`), [ALI_ID]);
  // No key id: a random-looking string in a test fixture stays unflagged.
  assert.deepEqual(secrets(`const fixture = 'kF8sQ2xVb7NwLr4TzPm9HcJd3GyEaU';\nexpect(decode(fixture)).toBe(1);`), []);
  // A key id repeated as the next argument is not its own secret.
  assert.deepEqual(secrets(`f('${ALI_ID}', '${ALI_ID}')`), [ALI_ID, ALI_ID]);
});

const HW_AK = 'HPUAK7Q2ZR4XN8MWT3VB';
const HW_SK = 'q7Rk2ZpX9vLm4TnB8cWy3HsJ6dFg1AeU5oKiVbNt';

test('Huawei Cloud AK/SK (no prefix on either half) in credential-shaped code', () => {
  assert.deepEqual(secrets(`credentials = BasicCredentials("${HW_AK}", "${HW_SK}", project_id)`), [HW_AK, HW_SK]);
  assert.deepEqual(secrets(`credentials = GlobalCredentials(ak='${HW_AK}', sk='${HW_SK}')`), [HW_AK, HW_SK]);
  assert.deepEqual(secrets(`ICredential auth = new BasicCredentials()\n    .withAk("${HW_AK}")\n    .withSk("${HW_SK}");`), [HW_AK, HW_SK]);
  assert.deepEqual(secrets(`auth := basic.NewCredentialsBuilder().WithAk("${HW_AK}").WithSk("${HW_SK}").Build()`), [HW_AK, HW_SK]);
  assert.deepEqual(secrets(`HUAWEICLOUD_SDK_AK = "${HW_AK}"\nregion = "cn-north-4"\nHUAWEICLOUD_SDK_SK = "${HW_SK}"`), [HW_AK, HW_SK]);
  // An environment file leaves the values bare.
  assert.deepEqual(secrets(`HUAWEICLOUD_SDK_AK=${HW_AK}\nHUAWEICLOUD_SDK_SK=${HW_SK}\n`), [HW_AK, HW_SK]);
  assert.deepEqual(secrets(`HUAWEICLOUD_SDK_AK=${HW_AK}X\nHUAWEICLOUD_SDK_SK=${HW_SK}`), [], 'an AK of 21 characters is none');
});

test('hostile: Huawei-shaped code with a hash or a placeholder, or the two strings outside a credential shape', () => {
  const sha1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
  assert.deepEqual(secrets(`BasicCredentials("${HW_AK}", "${sha1}")`), []);
  assert.deepEqual(secrets(`BasicCredentials("YOURACCESSKEYIDHEREX", "${HW_SK}")`), []);
  // Without a credential shape, 20 and 40 random characters side by side are ordinary strings.
  assert.deepEqual(secrets(`fixture("${HW_AK}", "${HW_SK}")`), []);
  assert.deepEqual(secrets(`const id = "${HW_AK}";\nconst blob = "${HW_SK}";`), []);
});
