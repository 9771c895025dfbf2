import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idCardCheckChar, isValidIdCard15, isValidIdCard18, isValidUscc, luhnValid, usccCheckChar } from '../../src/guard/index.ts';

test('GB 11643: check character, birth date and region', () => {
  assert.equal(idCardCheckChar('11010519491231002'), 'X');
  assert.ok(isValidIdCard18('11010519491231002X'));
  assert.ok(isValidIdCard18('11010519491231002x'));
  assert.ok(!isValidIdCard18('110105194912310021'), 'wrong check digit');
  assert.ok(!isValidIdCard18('110105194902300023'), 'February 30th');
  const body = '99010519900101123';
  assert.ok(!isValidIdCard18(body + idCardCheckChar(body)), 'unknown region 99');
});

test('legacy 15-digit IDs need a known region and a valid date', () => {
  assert.ok(isValidIdCard15('110105491231002'));
  assert.ok(!isValidIdCard15('110105491331002'));
});

test('Luhn', () => {
  assert.ok(luhnValid('6225880123456783'));
  assert.ok(!luhnValid('6225880123456784'));
});

test('GB 32100 USCC check character', () => {
  assert.equal(usccCheckChar('91110108MA01D8XK1'), 'N');
  assert.ok(isValidUscc('91110108MA01D8XK1N'));
  assert.ok(!isValidUscc('91110108MA01D8XK1A'));
  assert.ok(!isValidUscc('91110108MA01D8XK1I'), 'I is not in the USCC alphabet');
});
