/**
 * The tagger's row sums in WebAssembly SIMD: one 8-byte load widened to eight 16-bit lanes and one vector
 * addition per weight row, where JavaScript needs two loads and eight mask, shift and add steps
 * (model.ts: emissions, the reference this must equal). The module is 154 bytes, assembled here from the
 * listing below, so that no toolchain or dependency is needed. Where SIMD is missing (WebAssembly.validate()
 * refuses the module), WebAssembly is off (`node --jitless`) or compiling it is forbidden, the tagger sums in
 * JavaScript.
 *
 *   (func $sum (param $rows i32) (param $n i32) (param $out i32)
 *     (local $i i32) (local $p i32) (local $end i32) (local $acc v128)
 *     (local.set $p (local.get $rows))
 *     (block (loop
 *       (br_if 1 (i32.ge_s (local.get $i) (local.get $n)))
 *       (local.set $acc (v128.const i64x2 0 0))
 *       (local.set $end (i32.add (local.get $p) (i32.const ROWS·4)))
 *       (loop                                     ;; acc += the 8 bytes of weight row rows[p] (at byte 8·row)
 *         (local.set $acc (i16x8.add (local.get $acc)
 *           (v128.load8x8_u (i32.shl (i32.load (local.get $p)) (i32.const 3)))))
 *         (br_if 0 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end))))
 *       (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 4))) (local.get $acc))
 *       (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *       (br 0))))
 *
 * Memory: the packed weights from byte 0 (model.ts: pack(), 8 bytes a row, biased bytes of tags 0–6 and a zero),
 * then BLOCK positions' row numbers (int32, `rowsPerPosition` each), then BLOCK sums of eight uint16 lanes.
 */

/** Positions summed per call: the row numbers of a block are written first, then summed at once. */
export const BLOCK = 1024;

export interface RowSummer {
  /** The packed weights, in the module's memory (the model reads them from here, one copy). */
  readonly packed: Int32Array;
  /** Where the caller writes the row numbers of up to BLOCK positions, `rowsPerPosition` each. */
  readonly rows: Int32Array;
  /** The sums of the last call: eight uint16 lanes a position (tags 0–6 and the zero byte's). */
  readonly sums: Uint16Array;
  /** Sum the rows of the first n ≤ BLOCK positions written to `rows` into `sums`. */
  sum(n: number): void;
}

// Opcodes used by the listing.
const BLOCK_OP = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_LOAD = 0x28;
const I32_CONST = 0x41;
const I32_LT_U = 0x49;
const I32_GE_S = 0x4e;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const SIMD = 0xfd;
const V128_LOAD8X8_U = [SIMD, 0x02];
const V128_STORE = [SIMD, 0x0b];
const V128_CONST = [SIMD, 0x0c];
const I16X8_ADD = [SIMD, 0x8e, 0x01];
const I32 = 0x7f;
const V128 = 0x7b;
const MEMARG_0 = [0, 0]; // alignment hint 1, offset 0
const MEMARG_I32 = [2, 0]; // alignment hint 4, offset 0

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 127;
    n >>>= 7;
    if (n !== 0) b |= 128;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a non-negative n (i32.const). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 127;
    n >>>= 7;
    if (n === 0 && (b & 64) === 0) return [...out, b];
    out.push(b | 128);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'utf8')];
}

/** The module of the listing, importing its memory as m.mem with at least `pages` pages. */
function moduleBytes(rowsPerPosition: number, pages: number): Uint8Array<ArrayBuffer> {
  const [rows, n, out, i, p, end, acc] = [0, 1, 2, 3, 4, 5, 6];
  const code = [
    2, 3, I32, 1, V128, // locals: i, p, end (i32); acc (v128)
    LOCAL_GET, rows, LOCAL_SET, p,
    BLOCK_OP, VOID, LOOP, VOID,
    LOCAL_GET, i, LOCAL_GET, n, I32_GE_S, BR_IF, 1,
    ...V128_CONST, ...new Array<number>(16).fill(0), LOCAL_SET, acc,
    LOCAL_GET, p, I32_CONST, ...sleb(rowsPerPosition * 4), I32_ADD, LOCAL_SET, end,
    LOOP, VOID,
    LOCAL_GET, acc, LOCAL_GET, p, I32_LOAD, ...MEMARG_I32, I32_CONST, 3, I32_SHL, ...V128_LOAD8X8_U, ...MEMARG_0,
    ...I16X8_ADD, LOCAL_SET, acc,
    LOCAL_GET, p, I32_CONST, 4, I32_ADD, LOCAL_TEE, p, LOCAL_GET, end, I32_LT_U, BR_IF, 0,
    END,
    LOCAL_GET, out, LOCAL_GET, i, I32_CONST, 4, I32_SHL, I32_ADD, LOCAL_GET, acc, ...V128_STORE, ...MEMARG_0,
    LOCAL_GET, i, I32_CONST, 1, I32_ADD, LOCAL_SET, i, BR, 0,
    END, END,
    END,
  ];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, I32, I32, I32, 0]), // type: (i32, i32, i32) → ()
    ...section(2, [1, ...name('m'), ...name('mem'), 0x02, 0x00, ...uleb(pages)]), // import m.mem
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...name('sum'), 0x00, 0]), // export it as sum
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

/**
 * A summer holding a copy of `packed` (8 bytes a row) for positions of `rowsPerPosition` rows, or null where
 * WebAssembly SIMD is not available.
 */
export function rowSummer(packed: Int32Array, rowsPerPosition: number): RowSummer | null {
  if (typeof WebAssembly !== 'object') return null;
  const rowsOffset = packed.length * 4;
  const sumsOffset = rowsOffset + BLOCK * rowsPerPosition * 4;
  const pages = Math.ceil((sumsOffset + BLOCK * 16) / 65536);
  const bytes = moduleBytes(rowsPerPosition, pages);
  if (!WebAssembly.validate(bytes)) return null;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } });
  } catch {
    return null; // an embedder that forbids compiling WebAssembly: the JavaScript sums serve
  }
  const sum = instance.exports.sum as (rows: number, n: number, out: number) => void;
  const inMemory = new Int32Array(memory.buffer, 0, packed.length);
  inMemory.set(packed);
  return {
    packed: inMemory,
    rows: new Int32Array(memory.buffer, rowsOffset, BLOCK * rowsPerPosition),
    sums: new Uint16Array(memory.buffer, sumsOffset, BLOCK * 8),
    sum(n: number): void {
      if (n > BLOCK) throw new RangeError(`at most ${BLOCK} positions a call`);
      sum(rowsOffset, n, sumsOffset);
    },
  };
}
