import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, Vault } from '../../src/guard/index.ts';

const guard = createGuard({ scanCacheEntries: 0 });

/** The coordinates the guard reports in `text` (address findings of the coordinates detector). */
function coordinates(text: string): string[] {
  return guard.scan(text).findings.filter((f) => f.detector === 'coordinates').map((f) => {
    assert.equal(f.type, 'address');
    return text.slice(f.start, f.end);
  });
}

test('precise coordinates are addresses: a pair after a cue, either order, hemisphere letters, a map link', () => {
  assert.deepEqual(coordinates('拍摄地点 GPS 39.916345, 116.397155'), ['39.916345, 116.397155']);
  assert.deepEqual(coordinates('经纬度：116.397155，39.916345'), ['116.397155，39.916345']); // longitude first, as Amap writes it
  assert.deepEqual(coordinates('定位 31.2304,121.4737 附近'), ['31.2304,121.4737']);
  assert.deepEqual(coordinates('https://www.google.com/maps/@39.9163452,116.3971551,17z'), ['39.9163452,116.3971551']);
  assert.deepEqual(coordinates('restapi.amap.com/v3/geocode/regeo?location=116.481488,39.990464&key=x'), ['116.481488,39.990464']);
  assert.deepEqual(coordinates('the drone landed at 22.5431N 114.0579E'), ['22.5431N 114.0579E']);
  assert.deepEqual(coordinates('南半球 33.8568S, 151.2153E'), ['33.8568S, 151.2153E']);
});

test('degrees, minutes and seconds, with hemisphere words or letters', () => {
  assert.deepEqual(coordinates('位于北纬39°54′58″，东经116°23′49″'), ['北纬39°54′58″，东经116°23′49″']);
  assert.deepEqual(coordinates(`39°54'58.8"N 116°23'49.8"E`), [`39°54'58.8"N 116°23'49.8"E`]);
  assert.deepEqual(coordinates(`N39°54.980' E116°23.830'`), [`N39°54.980' E116°23.830'`]);
  assert.deepEqual(coordinates('北纬39度54分58秒 东经116度23分49秒'), ['北纬39度54分58秒 东经116度23分49秒']);
});

test('two labelled values apart (JSON, a form): each is reported, nearest latitude to its longitude', () => {
  const json = '{"lat": 39.916345, "name": "家", "lng": 116.397155}';
  assert.deepEqual(coordinates(json), ['39.916345', '116.397155']);
  assert.deepEqual(coordinates('纬度：39.9163 经度：116.3972'), ['39.9163', '116.3972']);
  const two = '{"latitude": 31.230416, "longitude": 121.473701}\n{"latitude": 22.543096, "longitude": 114.057865}';
  assert.deepEqual(coordinates(two), ['31.230416', '121.473701', '22.543096', '114.057865']);
});

test('pseudonymized like any address: the coordinates do not leave, the rest of the text does', () => {
  const text = '今天在 GPS 39.916345, 116.397155 拍的照片';
  const safe = new Vault().pseudonymize(text, guard.scan(text).findings);
  assert.ok(!safe.includes('39.916345') && !safe.includes('116.397155'), safe);
  assert.ok(safe.startsWith('今天在 GPS ') && safe.endsWith(' 拍的照片'), safe);
});

test('hostile: numbers that only look like coordinates are not addresses', () => {
  for (const text of [
    '版本 1.2345, 2.3456', // no cue
    'price 39.916345, 116.397155', // no cue: any two decimals
    '点A的坐标为(1.4142, 1.7321)', // a plot's point: both halves under 10°
    'GPS 39.916, 116.397', // three decimals: a district, not a building
    '纬度 95.12345, 经度 116.39715', // latitude out of range
    'GPS 39.916345, 196.397155', // longitude out of range
    '纬度：39.916345', // a latitude alone locates nothing
    'location 0.0000, 0.0000', // no point at all
    '北纬39°54′，东经116°23′', // degrees and minutes: a few kilometres
    '温度25度3分钟', // degrees of heat
    'weights = [0.12345, 0.67891, 0.23456]',
    '坐标轴上 3.14159, 2.71828 两个常数',
  ]) assert.deepEqual(coordinates(text), [], text);
});

test('hostile: fifty thousand keyed values — each longitude looks only at the latitudes within reach (no step over all pairs)', () => {
  const row = '{"lat": 39.916345, "lng": 116.397155}\n';
  const text = row.repeat(50_000);
  assert.equal(coordinates(text).length, 100_000);
});

test('hostile: full-width digits and punctuation read as ASCII', () => {
  assert.deepEqual(coordinates('ＧＰＳ：３９．９１６３４５，１１６．３９７１５５').length, 1);
});
