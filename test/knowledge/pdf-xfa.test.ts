import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { checkPdfStreams } from '../../src/knowledge/ingest/pdf-limits.ts';
import { documentExtras } from '../../src/knowledge/ingest/document-extras.ts';
import { DEFAULT_INGEST_LIMITS, IngestLimitError } from '../../src/knowledge/ingest/limits.ts';
import { pdf, pdfFile, xfaFormPdf } from './fixtures.ts';

test('the values of a filled-in XFA form are read from its datasets packet, each with its field\'s name', async () => {
  const form = xfaFormPdf({ 姓名: '张建国', 身份证号: '11010519491231002X', 备注: '甲 < 乙 & 丙' });
  assert.deepEqual(checkPdfStreams(form), ['姓名：张建国', '身份证号：11010519491231002X', '备注：甲 < 乙 & 丙']);
  const extras = await documentExtras('pdf', form);
  assert.match(extras.text, /身份证号：11010519491231002X/);
  assert.deepEqual(checkPdfStreams(pdf(['Report'])), [], 'a PDF without XFA');
  // The form's dictionary compressed in an object stream: /XFA is nowhere in the bytes, the datasets packet still is.
  const packet = deflateSync(Buffer.from('<xfa:datasets><xfa:data><f><电话>13800138000</电话></f></xfa:data></xfa:datasets>'));
  const hidden = pdfFile([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [] /Count 0 >>',
    '<< /Type /ObjStm /N 0 /First 0 /Length 0 >>\nstream\n\nendstream',
    [`<< /Length ${packet.length} /Filter /FlateDecode >>\nstream\n`, packet, '\nendstream'],
  ]);
  assert.deepEqual(checkPdfStreams(hidden), ['电话：13800138000']);
});

test('hostile: a datasets stream past the stream limit refuses the PDF, as any stream there does; a broken one or one without datasets says nothing', () => {
  const file = (datasets: Buffer) => pdfFile([
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /XFA [(datasets) 3 0 R] >> >>',
    '<< /Type /Pages /Kids [] /Count 0 >>',
    [`<< /Length ${datasets.length} /Filter /FlateDecode >>\nstream\n`, datasets, '\nendstream'],
    [`<< /Length 10 /Filter /FlateDecode >>\nstream\n`, Buffer.from('not zlib!!'), '\nendstream'],
    `<< /Length 20 >>\nstream\n<template><a>x</a></template>\nendstream`,
  ]);
  const bomb = deflateSync(Buffer.from(`<xfa:datasets><a>${'x'.repeat(2_000_000)}</a></xfa:datasets>`));
  assert.throws(() => checkPdfStreams(file(bomb), { ...DEFAULT_INGEST_LIMITS, maxPdfStreamBytes: 1_000_000 }), IngestLimitError);
  assert.deepEqual(checkPdfStreams(file(deflateSync(Buffer.from('<template/>')))), []);
});
