import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { metafileKind, readMetafile } from '../../src/knowledge/ingest/metafile.ts';
import { imageSize } from '../../src/knowledge/ingest/image-size.ts';
import { digitsBitmap, docxWithPicture, emf, exifGps, exifTiff, gifImage, jpegHeader, pngWithText, wmf } from './fixtures.ts';
import { imageText } from '../../src/knowledge/ingest/image-text.ts';
import { createGuard } from '../../src/guard/index.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { documentExtras } from '../../src/knowledge/ingest/document-extras.ts';

/** "张伟 13800138000" in GBK, byte by byte. */
const GBK_NAME_PHONE = new Uint8Array([0xd5, 0xc5, 0xce, 0xb0, ...Buffer.from(' 13800138000', 'latin1')]);

describe('metafiles (EMF, EMF+, WMF): the text and pictures of a drawing pasted into an Office file', () => {
  it('reads EMF text records, EMF+ strings and bitmaps; glyph-indexed text is counted, not read', () => {
    const picture = digitsBitmap('1380');
    const drawn = readMetafile(emf([{ text: '身份证号' }, { text: '11010519491231002X' }, { emfPlusText: '联系人 王建国' }, { glyphs: [36, 37, 38] }, { picture }]));
    assert.equal(drawn.text, '身份证号\n11010519491231002X\n联系人 王建国');
    assert.equal(drawn.glyphRuns, 1);
    assert.equal(drawn.pictures.length, 1);
    const bmp = drawn.pictures[0];
    assert.equal(Buffer.from(bmp.subarray(0, 2)).toString('latin1'), 'BM');
    assert.deepEqual(imageSize(bmp), { width: picture.width, height: picture.height });
  });

  it('hostile: a drawing whose text is only glyph numbers makes its document unread; with EMF+ strings beside them it reads', async () => {
    await assert.rejects(documentExtras('docx', docxWithPicture(emf([{ text: '附表' }, { glyphs: [36, 37, 38, 39] }]), 'image1.emf')),
      /image1\.emf draws 1 line\(s\) of text as glyph numbers/);
    const dual = await documentExtras('docx', docxWithPicture(emf([{ emfPlusText: '联系人 王建国' }, { glyphs: [36, 37, 38] }]), 'image1.emf'));
    assert.match(dual.text, /联系人 王建国/);
    assert.equal(readMetafile(emf([{ emfPlusText: 'a' }, { glyphs: [1] }])).plusTexts, 1);
  });

  it('reads WMF text in the ANSI code page of a Chinese system (GBK)', () => {
    const file = wmf(GBK_NAME_PHONE);
    assert.equal(metafileKind(file), 'wmf');
    assert.equal(readMetafile(file).text, '张伟 13800138000');
  });

  it('hostile: a record of size 0 or past the end ends the reading; a string pointing past the file skips its record only — no loop, no throw', () => {
    const good = Buffer.from(emf([{ text: '13800138000' }, { text: '第二行' }]));
    const firstText = 88; // after the 88-byte header record
    const zero = Buffer.from(good);
    zero.writeUInt32LE(0, firstText + 4 + 76 + 24); // the second text record's size
    assert.equal(readMetafile(zero).text, '13800138000');
    const past = Buffer.from(good);
    past.writeUInt32LE(0x7ffffff0, firstText + 4);
    assert.equal(readMetafile(past).text, '');
    const farString = Buffer.from(good);
    farString.writeUInt32LE(0x7ffffff0, firstText + 48);
    // A renderer draws the records after a broken one: so are they read (text hidden behind a bad record is found).
    assert.equal(readMetafile(farString).text, '第二行');
    const manyChars = Buffer.from(good);
    manyChars.writeUInt32LE(0xffffffff, firstText + 44);
    assert.equal(readMetafile(manyChars).text, '第二行');
    // Not a metafile at all: nothing, no error.
    assert.deepEqual(readMetafile(new Uint8Array(100)), { text: '', pictures: [], glyphRuns: 0, plusTexts: 0 });
    assert.equal(metafileKind(gifImage(digitsBitmap('1'))), null);
  });
});

describe('image sizes read from headers', () => {
  it('GIF: the larger of the screen and the first frame, so a small screen cannot hide a huge frame', () => {
    const g = digitsBitmap('12');
    const gif = Buffer.from(gifImage(g));
    assert.deepEqual(imageSize(gif), { width: g.width, height: g.height });
    const frame = 13 + 768; // after the header and the global palette
    gif.writeUInt16LE(30_000, frame + 5);
    gif.writeUInt16LE(30_000, frame + 7);
    assert.deepEqual(imageSize(gif), { width: 30_000, height: 30_000 });
    assert.equal(imageSize(gif.subarray(0, 20)), null);
  });
});

describe('the text an image carries besides its pixels', () => {
  it('reads EXIF (artist, Windows comment), a JPEG comment, PNG text chunks and EXIF in PNG; pixels are not read', () => {
    const exif = exifTiff('张伟 13800138000', '身份证11010519491231002X');
    assert.equal(imageText(jpegHeader(exif, '经办人李娜')), '张伟 13800138000\n身份证11010519491231002X\n经办人李娜');
    const png = encodePng(digitsBitmap('1'));
    assert.equal(imageText(pngWithText(png, { tEXt: 'Author Zhang Wei 13900139000', iTXt: '备注：王芳', exif })),
      'Author Zhang Wei 13900139000\n备注：王芳\n张伟 13800138000\n身份证11010519491231002X');
    assert.equal(imageText(png), '');
  });

  it('says where a photo was taken: EXIF GPS in JPEG and PNG, either byte order, any hemisphere; XMP\'s GPS', () => {
    assert.equal(imageText(jpegHeader(exifGps(39.916345, 116.397155), '')), 'GPS 39.916344, 116.397156');
    const png = encodePng(digitsBitmap('1'));
    assert.equal(imageText(pngWithText(png, { exif: exifGps(-33.856784, -70.648273, 'MM') })), 'GPS -33.856783, -70.648272');
    const xmp = '<x:xmpmeta><rdf:Description exif:GPSLatitude="39,54.9807N" exif:GPSLongitude="116,23.8293E"/></x:xmpmeta>';
    const withXmp = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.from([0, 0]), Buffer.from(`http://ns.adobe.com/xap/1.0/\0${xmp}`), Buffer.from([0xff, 0xda, 0, 2])]);
    withXmp.writeUInt16BE(withXmp.length - 4 - 4 + 2, 4);
    assert.equal(imageText(withXmp), 'GPS 39.916345, 116.397155');
    // The line is one the guard reads as an address.
    const guard = createGuard({ scanCacheEntries: 0 });
    assert.deepEqual(guard.scan(imageText(withXmp)).findings.map((f) => [f.type, f.detector]), [['address', 'coordinates']]);
  });

  it('hostile: GPS with a zero denominator, a latitude past 90°, one half missing — no line, no throw', () => {
    const zero = Buffer.from(exifGps(39.9, 116.4));
    zero.writeUInt32LE(0, 80 + 4); // the latitude's degrees over 0
    assert.equal(imageText(jpegHeader(zero, '')), '');
    const past = Buffer.from(exifGps(39.9, 116.4));
    past.writeUInt32LE(95, 80); // 95° north
    assert.equal(imageText(jpegHeader(past, '')), '');
    const half = Buffer.from(exifGps(39.9, 116.4));
    half.writeUInt16LE(2, 26); // only the latitude's two entries
    assert.equal(imageText(jpegHeader(half, '')), '');
    const outside = Buffer.from(exifGps(39.9, 116.4));
    outside.writeUInt32LE(0xfffffff0, 26 + 2 + 12 + 8); // the latitude's offset past the end
    assert.equal(imageText(jpegHeader(outside, '')), '');
    const nowhere = Buffer.from(exifGps(39.9, 116.4));
    nowhere.writeUInt32LE(0xfffffff0, 8 + 2 + 8); // the GPS directory itself past the end
    assert.equal(imageText(jpegHeader(nowhere, '')), '');
  });

  it('hostile: an offset past the end, a count of four billion, a chunk longer than the file — no throw, what came before stands', () => {
    const exif = Buffer.from(exifTiff('张伟', '备注'));
    exif.writeUInt32LE(0xfffffff0, 8 + 2 + 8); // the Artist's offset
    exif.writeUInt32LE(0xffffffff, 8 + 2 + 12 + 4); // the comment's count
    assert.equal(typeof imageText(jpegHeader(exif, '')), 'string');
    const png = Buffer.from(pngWithText(encodePng(digitsBitmap('1')), { tEXt: '13900139000' }));
    png.writeUInt32BE(0x7ffffff0, 33); // the tEXt chunk's length
    assert.equal(typeof imageText(png), 'string');
    assert.equal(imageText(new Uint8Array([0xff, 0xd8, 0xff])), '');
  });
});
