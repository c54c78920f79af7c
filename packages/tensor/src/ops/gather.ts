// Embedding lookup: rows of a table gathered by integer id.
import { IndexError } from "../errors.js";
import { assert2d, assertShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";

/**
 * table [V, d], ids (T integers) -> [T, d]: row ids[t] of the table for each t.
 * const h = embedding(tokEmb, [0, 1, 3]) // [3, d]
 */
export function embedding(table: Tensor, ids: ArrayLike<number>, out?: Tensor): Tensor {
  assert2d("embedding", "table", table);
  const [V, d] = table.shape as [number, number];
  const T = ids.length;
  const o = out ?? zeros([T, d]);
  assertShape("embedding", "out", o, [T, d]);
  const S = table.data, O = o.data;
  const [ts0, ts1] = table.stride as [number, number];
  const [os0, os1] = o.stride as [number, number];
  for (let t = 0; t < T; t++) {
    const id = ids[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= V) {
      throw new IndexError("embedding", `id ${id} at index ${t} is out of range; expected an integer in [0, ${V})`);
    }
    const src = table.offset + id * ts0, dst = o.offset + t * os0;
    for (let j = 0; j < d; j++) O[dst + j * os1] = S[src + j * ts1]!;
  }
  return o;
}
