import CFB from 'cfb';

/**
 * The file an OLE object embedded in an Office file carries (`word/embeddings/oleObject1.bin`, a Compound File), for the
 * extras reader to read like any file inside a document:
 * - a file inserted as an object or an icon ("附件" in a report: a text file, a PDF, a spreadsheet, a picture) is a
 *   Package: its `\x01Ole10Native` stream holds the file's name and bytes;
 * - a PDF inserted while Acrobat was installed keeps the PDF in its `CONTENTS` stream;
 * - a Paint picture keeps a bitmap in `\x01Ole10Native`.
 * An equation (Equation Native) returns null: the formula is drawn in the object's preview, which is read. Any other
 * object — a Word 97–2003 document, a Visio drawing, a program's own data — throws: its content cannot be read here,
 * and what is not read must not pass as read (the file is then unread, and `unreadable_attachments` decides).
 */
export function oleObjectFile(bytes: Uint8Array): { name: string; bytes: Uint8Array } | null {
  let container: CFB.CFB$Container;
  try {
    container = CFB.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { type: 'buffer' });
  } catch (err) {
    throw new Error(`an embedded object is no valid compound file (${err instanceof Error ? err.message : String(err)})`);
  }
  const streams = new Map<string, Uint8Array>();
  for (const entry of container.FileIndex) {
    if (entry.type !== 2) continue;
    const content = entry.content as Uint8Array | ArrayLike<number>;
    streams.set(entry.name, content instanceof Uint8Array ? content : Uint8Array.from(content));
  }
  const native = streams.get('\u0001Ole10Native');
  if (native !== undefined) return nativeFile(native);
  const contents = streams.get('CONTENTS');
  if (contents !== undefined && startsWith(contents, '%PDF-')) return { name: 'object.pdf', bytes: contents };
  const pack = streams.get('Package');
  if (pack !== undefined && startsWith(pack, 'PK\u0003\u0004')) return { name: 'object.zip', bytes: pack };
  if (streams.has('Equation Native')) return null;
  const kind = [...streams.keys()].filter((n) => !/^[\u0001-\u0005]/.test(n)).slice(0, 4).join(', ') || 'no content stream';
  throw new Error(`an embedded object of a kind that cannot be read (${kind}) / 无法读取的嵌入对象`);
}

function startsWith(bytes: Uint8Array, magic: string): boolean {
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

/**
 * `\x01Ole10Native`: the size of what follows (u32), then for a Package a flag (u16), the label and the source path
 * (each ending in a zero byte), two u16, the temporary path (u32 length and bytes), the file's size (u32) and bytes;
 * for a Paint picture, the bitmap itself.
 */
function nativeFile(stream: Uint8Array): { name: string; bytes: Uint8Array } {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const fail = (): never => { throw new Error('an embedded package is malformed / 嵌入的文件包已损坏'); };
  if (stream.length < 6) fail();
  const end = Math.min(stream.length, 4 + view.getUint32(0, true));
  if (startsWith(stream.subarray(4), 'BM')) return { name: 'object.bmp', bytes: stream.subarray(4, end) };
  let at = 6;
  const cString = (): string => {
    const zero = stream.indexOf(0, at);
    if (zero < 0 || zero >= end) fail();
    const s = Buffer.from(stream.subarray(at, zero)).toString('latin1');
    at = zero + 1;
    return s;
  };
  const u32 = (): number => {
    if (at + 4 > end) fail();
    at += 4;
    return view.getUint32(at - 4, true);
  };
  const label = cString();
  const path = cString();
  at += 4;
  const tempPath = u32();
  at += tempPath;
  const size = u32();
  if (at + size > end) fail();
  // The name only tells the format; ANSI names lose their Chinese characters here, never their extension.
  const named = [label, path].find((n) => /\.[A-Za-z0-9]{1,5}$/.test(n)) ?? 'object';
  return { name: named.slice(named.search(/[^\\/]*$/)), bytes: stream.subarray(at, at + size) };
}
