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

test('hostile: hashes, UUIDs and base64 data beside a key id or alone are not secrets', () => {
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const uuid = '123e4567-e89b-12d3-a456-426614174000';
  assert.deepEqual(secrets(`id = '${ALI_ID}'\nchecksum = '${md5}'\nrequest_id = '${uuid}'`), [ALI_ID]);
  // No key id: a random-looking string in a test fixture stays unflagged.
  assert.deepEqual(secrets(`const fixture = 'kF8sQ2xVb7NwLr4TzPm9HcJd3GyEaU';\nexpect(decode(fixture)).toBe(1);`), []);
  // A key id repeated as the next argument is not its own secret.
  assert.deepEqual(secrets(`f('${ALI_ID}', '${ALI_ID}')`), [ALI_ID, ALI_ID]);
});
