// A kernel program: a sequence of kernel calls recorded in memory as fixed-size records, run by one call
// from JavaScript (a decode step's ops between two cache appends: ~10 small calls whose JS glue would
// otherwise cost as much as their work). Each record calls the exported kernel itself (matvec, linear,
// layer_norm, attention per head) with the recorded arguments, so a program gives exactly the bits of
// calling its ops one by one, in either build.
//
// Record layout (RECORD i32 words; floats stored as their bits):
//   [0] op   LINEAR:    x xs w ws bias out os T n m flags        (T = 1: matvec, the one-row kernel)
//            LAYER_NORM: x xs w b out os T d eps
//            ATTENTION:  q qs k ks v vs out os T S dh scale qStart pos window sinks scores heads
//            ATTENTION_PAGED: q qs kTable vTable d B out os T S dh scale qStart p0 window sinks scores heads
//            ATTENTION_INT8:  q qs kq d kSc G nq kf kfRow vq vSc out os T S dh scale qStart p0 window sinks scores heads
//            COPY_ROW:   src dst dRow bytes                  (src's bytes to row p of dst, rows dRow bytes apart)
//            EMBED_ROW:  table tRow pos pRow out d           (out = table row `token` + pos row p, d floats)
//            COPY_TO_BLOCK: src table B dRow bytes           (src's bytes to row p mod B of the block whose
//                        address is the i32 at table + 4·⌊p/B⌋, rows dRow bytes apart)
//            QUANTIZE_ROW: src d q scales G residual rRow       (src's d floats into an int8 cache at position p, quantize.ts)
// (the attention records call the kernel once per head, on the head's columns, as the ops do; p and token
// are what run_program is given; JavaScript writes an attention's S, qStart (and an int8 one's nq) before a run
// when the record follows the position. src/backend/program-layout.ts writes these layouts.)
import { attention } from "./attention";
import { attention_int8 } from "./attention-int8";
import { attention_paged } from "./attention-paged";
import { layer_norm } from "./layer-norm";
import { linear } from "./linear";
import { matvec } from "./matvec";
import { quantizeAt } from "./quantize";

export const RECORD: i32 = 24;
const OP_LINEAR = 1;
const OP_LAYER_NORM = 2;
const OP_ATTENTION = 3;
export const OP_ATTENTION_PAGED = 4;
export const OP_ATTENTION_INT8 = 5;
const OP_COPY_ROW = 6;
const OP_EMBED_ROW = 8;
const OP_COPY_TO_BLOCK = 9;
const OP_QUANTIZE_ROW = 10;

@inline function arg(r: usize, i: i32): i32 {
  return load<i32>(r + (<usize>i << 2));
}

@inline function farg(r: usize, i: i32): f32 {
  return load<f32>(r + (<usize>i << 2));
}

/** out [d] = a [d] + b [d], four lanes at a time then one by one (float32 adds, as the embedding's). */
@inline function addRow(out: usize, a: usize, b: usize, d: i32): void {
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const o = <usize>j << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; j < d; j++) store<f32>(out + (<usize>j << 2), load<f32>(a + (<usize>j << 2)) + load<f32>(b + (<usize>j << 2)));
}

/**
 * Runs records [from, to) of the program at `prog`, at position p (COPY_ROW, COPY_TO_BLOCK, EMBED_ROW,
 * QUANTIZE_ROW) for the token `token` (EMBED_ROW). Returns 0, or when an attention record fails
 * (a query row sees no key, or has a NaN score) its result in the high bits and the record's index in the
 * low 10: (result << 10) | index, with the records before it run.
 */
export function run_program(prog: usize, from: i32, to: i32, p: i32, token: i32): i32 {
  for (let i = from; i < to; i++) {
    const r = prog + (<usize>(i * RECORD) << 2);
    const op = arg(r, 0);
    if (op == OP_LINEAR) {
      const T = arg(r, 8);
      if (T == 1) matvec(arg(r, 1), arg(r, 3), arg(r, 4), arg(r, 5), arg(r, 6), arg(r, 9), arg(r, 10), arg(r, 11));
      else if (T > 1) linear(arg(r, 1), arg(r, 2), arg(r, 3), arg(r, 4), arg(r, 5), arg(r, 6), arg(r, 7), T, arg(r, 9), arg(r, 10), arg(r, 11));
    } else if (op == OP_LAYER_NORM) {
      layer_norm(arg(r, 1), arg(r, 2), arg(r, 3), arg(r, 4), arg(r, 5), arg(r, 6), arg(r, 7), arg(r, 8), farg(r, 9));
    } else if (op == OP_EMBED_ROW) {
      addRow(arg(r, 5), arg(r, 1) + <usize>token * <usize>arg(r, 2), arg(r, 3) + <usize>p * <usize>arg(r, 4), arg(r, 6));
    } else if (op == OP_COPY_ROW) {
      memory.copy(arg(r, 2) + <usize>p * <usize>arg(r, 3), arg(r, 1), arg(r, 4));
    } else if (op == OP_COPY_TO_BLOCK) {
      const B = arg(r, 3), block = <usize>load<i32>(arg(r, 2) + (<usize>(p / B) << 2));
      memory.copy(block + <usize>(p % B) * <usize>arg(r, 4), arg(r, 1), arg(r, 5));
    } else if (op == OP_QUANTIZE_ROW) {
      quantizeAt(arg(r, 1), arg(r, 2), arg(r, 3), arg(r, 4), arg(r, 5), arg(r, 6), arg(r, 7), p);
    } else if (op == OP_ATTENTION) {
      const dh = arg(r, 11), heads = arg(r, 18);
      for (let h = 0; h < heads; h++) {
        const c = h * dh * 4; // byte offset of the head's columns
        const res = attention(
          arg(r, 1) + c, arg(r, 2), arg(r, 3) + c, arg(r, 4), arg(r, 5) + c, arg(r, 6), arg(r, 7) + c, arg(r, 8),
          arg(r, 9), arg(r, 10), dh, farg(r, 12), arg(r, 13), arg(r, 14), arg(r, 15), arg(r, 16), arg(r, 17),
        );
        if (res != 0) return (res << 10) | i;
      }
    } else if (op == OP_ATTENTION_PAGED) {
      const dh = arg(r, 11), heads = arg(r, 18);
      for (let h = 0; h < heads; h++) {
        const c = h * dh * 4;
        const res = attention_paged(
          arg(r, 1) + c, arg(r, 2), arg(r, 3), arg(r, 4), c, arg(r, 5), arg(r, 6), arg(r, 7) + c, arg(r, 8),
          arg(r, 9), arg(r, 10), dh, farg(r, 12), arg(r, 13), arg(r, 14), arg(r, 15), arg(r, 16), arg(r, 17),
        );
        if (res != 0) return (res << 10) | i;
      }
    } else if (op == OP_ATTENTION_INT8) {
      const d = arg(r, 4), G = arg(r, 6), dh = arg(r, 16), heads = arg(r, 23);
      for (let h = 0; h < heads; h++) {
        const c = h * dh; // the head's first column
        const res = attention_int8(
          arg(r, 1) + 4 * c, arg(r, 2), arg(r, 3) + c, d, G > 0 ? arg(r, 5) + 4 * c : arg(r, 5), G, 4 * d, arg(r, 7),
          arg(r, 8) + 4 * c, arg(r, 9), arg(r, 10) + c, d, arg(r, 11), arg(r, 12) + 4 * c, arg(r, 13),
          arg(r, 14), arg(r, 15), dh, farg(r, 17), arg(r, 18), arg(r, 19), arg(r, 20), arg(r, 21), arg(r, 22),
        );
        if (res != 0) return (res << 10) | i;
      }
    }
  }
  return 0;
}
