/**
 * Files and images a chat request carries inline — `image_url` with a `data:` URL, `file.file_data` — leave the
 * domain as bytes that no text scan reads: a photographed ID card, a PDF of meeting minutes, a screenshot of a
 * spreadsheet. Each is read (the text layer of a PDF, Office and OFD files, text files; OCR for images and scans, by
 * the knowledge bases' parsers) and its text goes through the department's guard. A finding there is *opaque*: a
 * value inside an image or a PDF cannot be replaced by a placeholder, so where the policy would pseudonymize it the
 * request is rerouted to the private model instead, or refused (policy/decide.ts).
 *
 * Remote URLs are not fetched (the gateway never sees those bytes; the URL itself is scanned as text). What cannot be
 * read — audio, an unknown or broken file, an image over the pixel limit — is counted, and the policy's
 * `unreadable_attachments` decides (docs/policies.md).
 */
import { createHash } from 'node:crypto';
import type { FindingType, Guard, Level } from '../guard/index.ts';
import { JUNCTION_REACH, junctionWindow } from './junction.ts';
import { filesInText } from '../knowledge/ingest/embedded-files.ts';

/**
 * Reads the text of one file ('' when it holds none, a photo); throws when it cannot be read, or when `deadline` (a
 * performance.now() time) passes before it is done.
 */
export type ReadAttachment = (name: string, bytes: Uint8Array, deadline: number) => Promise<string>;

/**
 * One attachment of a request body: where it is (the field, and the content part that holds it), a file name that says
 * its format, and its bytes (null: a sound, unread).
 */
export interface Attachment {
  path: string;
  part: string;
  name: string;
  bytes: Uint8Array | null;
}

/** A finding inside an attachment: its type and level, for the policy; never a value. */
export interface AttachmentFinding {
  type: FindingType;
  level: Level;
  opaque: true;
}

/** What the attachments of one body hold, and how many of them could not be read. */
export interface AttachmentScan {
  readonly findings: readonly AttachmentFinding[];
  readonly unread: number;
}

/** A body without attachments. */
export const NO_ATTACHMENTS: AttachmentScan = Object.freeze({ findings: Object.freeze([]), unread: 0 });

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png', 'image/jpeg': '.jpg', 'image/jpg': '.jpg', 'image/webp': '.webp', 'image/gif': '.gif', 'image/bmp': '.bmp', 'image/tiff': '.tiff',
  'application/pdf': '.pdf', 'text/plain': '.txt', 'text/markdown': '.md', 'text/csv': '.csv', 'text/html': '.html',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/ofd': '.ofd',
};

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w.+-]+=[^;,]*)*)(;base64)?,/i;

/** The bytes and media type of a `data:` URL, or of bare base64 (what some clients put in `file_data`); null otherwise. */
export function decodeDataUrl(value: string): { mime: string; bytes: Uint8Array } | null {
  const m = DATA_URL.exec(value);
  if (m === null) {
    // Bare base64: the alphabet only, whole quads.
    if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
    return { mime: '', bytes: Buffer.from(value, 'base64') };
  }
  const data = value.slice(m[0].length);
  const mime = (m[1] ?? 'text/plain').toLowerCase();
  if (m[3] !== undefined) return { mime, bytes: Buffer.from(data, 'base64') };
  try {
    return { mime, bytes: Buffer.from(decodeURIComponent(data), 'utf8') };
  } catch {
    return null; // a broken percent escape: the URL is scanned as text anyway
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Each message's content in the order a model reads it: its content string, or each of its content parts, with
 * its JSON pointer (`/messages/m/content`, `/messages/m/content/p`).
 */
function forEachContent(body: unknown, visit: (at: string, content: unknown) => void): void {
  const messages = isRecord(body) && Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, m) => {
    const content = isRecord(message) ? message.content : undefined;
    if (Array.isArray(content)) content.forEach((part, p) => visit(`/messages/${m}/content/${p}`, part));
    else if (typeof content === 'string') visit(`/messages/${m}/content`, content);
  });
}

/**
 * The inline files, images and sounds of a chat body's messages (content parts `image_url`, `file` and `input_audio`),
 * and the files pasted into their text as base64 (knowledge/ingest/embedded-files.ts: a mail's attachment, a `data:` URL), whose
 * `part` is the text's pointer with `#n` after it (no seam of theirs is read joined: they stand inside the text).
 */
export function attachmentsOf(body: unknown): Attachment[] {
  const out: Attachment[] = [];
  forEachContent(body, (at, part) => {
    const text = typeof part === 'string' ? part : isRecord(part) && typeof part.text === 'string' ? part.text : null;
    if (text !== null) {
      const path = typeof part === 'string' ? at : `${at}/text`;
      for (const [k, f] of filesInText(text).entries()) out.push({ path, part: `${at}#${k}`, name: f.name, bytes: f.bytes });
      return;
    }
    if (!isRecord(part)) return;
    if (isRecord(part.input_audio) && typeof part.input_audio.data === 'string') {
      // No speech is read: an audio part is an attachment that cannot be read (the policy decides).
      const format = typeof part.input_audio.format === 'string' ? part.input_audio.format.replace(/\W/g, '') : 'audio';
      out.push({ path: `${at}/input_audio/data`, part: at, name: `audio.${format}`, bytes: null });
      return;
    }
    const image = isRecord(part.image_url) ? part.image_url.url : undefined;
    const file = isRecord(part.file) ? part.file : undefined;
    const value = typeof image === 'string' ? image : typeof file?.file_data === 'string' ? file.file_data : undefined;
    if (value === undefined || (typeof image === 'string' && !image.startsWith('data:'))) return;
    const decoded = decodeDataUrl(value);
    if (decoded === null || decoded.bytes.length === 0) return;
    const field = typeof image === 'string' ? 'image_url/url' : 'file/file_data';
    const filename = typeof file?.filename === 'string' && file.filename.includes('.') ? file.filename : null;
    out.push({ path: `${at}/${field}`, part: at, name: filename ?? `attachment${EXTENSIONS[decoded.mime] ?? ''}`, bytes: decoded.bytes });
  });
  return out;
}

/** Attachments read per request; the rest count as unread (each read may take OCR a second: a thousand tiny images must not). */
export const MAX_ATTACHMENTS_READ = 32;
/** Time to read one request's attachments (ms); what is not read by then counts as unread (a scanned book must not hold a request). */
export const READ_TIME_MS = 20_000;

/** Longer texts are read again when sent again, so that the memory of recent files stays small (64 × 256 K characters at most). */
const MAX_REMEMBERED_TEXT = 256 * 1024;

/**
 * Reads attachments and scans their text with the department's guard, remembering what each file held (by its
 * digest, per department) so that a conversation that sends the same image on every turn reads it once.
 */
export class AttachmentScanner {
  readonly #read: ReadAttachment;
  readonly #texts = new Map<string, string>();
  readonly #capacity: number;

  readonly #timeMs: number;

  constructor(read: ReadAttachment, opts: { capacity?: number; timeMs?: number } = {}) {
    this.#read = read;
    this.#capacity = opts.capacity ?? 64;
    this.#timeMs = opts.timeMs ?? READ_TIME_MS;
  }

  /** The findings of every attachment of `body` (one entry per finding), and the count of those that could not be read. */
  async scan(tenantId: string, guard: Guard, body: unknown): Promise<AttachmentScan> {
    const findings: AttachmentFinding[] = [];
    let unread = 0;
    const deadline = performance.now() + this.#timeMs;
    const texts = new Map<string, string | null>();
    // A file's text may hold files pasted into it as base64 (an attached .eml's attachments): they are read in turn,
    // within the same count and time (each is shorter than the text that held it, so this ends).
    const queue = attachmentsOf(body);
    for (let k = 0; k < queue.length; k++) {
      const a = queue[k];
      const text = k < MAX_ATTACHMENTS_READ && performance.now() < deadline ? await this.#text(tenantId, a, deadline) : null;
      texts.set(a.part, text);
      if (text === null) unread++;
      else {
        for (const f of guard.scan(text).findings) findings.push({ type: f.type, level: f.level, opaque: true });
        for (const [n, f] of filesInText(text).entries()) queue.push({ path: a.path, part: `${a.part}#${n}`, name: f.name, bytes: f.bytes });
      }
    }
    if (texts.size > 0) for (const f of junctionFindings(guard, body, texts)) findings.push({ type: f.type, level: f.level, opaque: true });
    return { findings, unread };
  }

  async #text(tenantId: string, a: Attachment, deadline: number): Promise<string | null> {
    if (a.bytes === null) return null;
    const key = `${tenantId}\u0000${createHash('sha256').update(a.name).update('\u0000').update(a.bytes).digest('hex')}`;
    if (this.#texts.has(key)) {
      const text = this.#texts.get(key)!;
      this.#texts.delete(key);
      this.#texts.set(key, text);
      return text;
    }
    let text: string | null;
    try {
      text = await this.#read(a.name, a.bytes, deadline);
    } catch {
      // Not what its name says, broken, over a parsing limit, or out of time: unread, and not remembered as such (the
      // next turn may have the time).
      return null;
    }
    if (text.length > MAX_REMEMBERED_TEXT) return text;
    if (this.#texts.size >= this.#capacity) this.#texts.delete(this.#texts.keys().next().value!);
    this.#texts.set(key, text);
    return text;
  }
}

/**
 * What a model reads across the seam between an attachment and the text or attachment next to it, in the order it reads
 * them: a value split there (身份证号 11010519491231 in the message, 002X opening the attached file; a number's halves in
 * two files) is in neither alone. The windows around each seam that touches an attachment are scanned (the seams between
 * two texts are inspect.ts's); a finding that crosses the seam counts. `texts`: the text of each attachment read, by
 * its content part (null: unread, which no value crosses).
 */
function junctionFindings(guard: Guard, body: unknown, texts: ReadonlyMap<string, string | null>): Array<{ type: FindingType; level: Level }> {
  const out: Array<{ type: FindingType; level: Level }> = [];
  let prev: { text: string; attachment: boolean } | null = null;
  const next = (text: string | null, attachment: boolean): void => {
    if (text !== null && prev !== null && (attachment || prev.attachment) && prev.text.length > 0 && text.length > 0) {
      // Enough of each side for the window and for widening it over a run of letters and digits.
      const left = prev.text.slice(-3 * JUNCTION_REACH);
      const joined = left + text.slice(0, 3 * JUNCTION_REACH);
      const [from, to] = junctionWindow(joined, left.length);
      for (const f of guard.scan(joined.slice(from, to)).findings) {
        if (f.start + from < left.length && f.end + from > left.length) out.push({ type: f.type, level: f.level });
      }
    }
    prev = text === null ? null : { text, attachment };
  };
  forEachContent(body, (at, content) => {
    if (texts.has(at)) next(texts.get(at)!, true);
    else if (typeof content === 'string') next(content, false);
    else if (isRecord(content) && typeof content.text === 'string') next(content.text, false);
  });
  return out;
}
