// Rows copied within kernel memory: `rows` rows of d floats from src (row stride ss) to dst (row stride ds),
// strides in float32 elements. One call for a whole append to a KV cache (keys or values out of a packed
// q|k|v output), where a native copy per row from JavaScript costs ~70 ns of call overhead a row.
export function copy_rows(src: usize, ss: i32, dst: usize, ds: i32, rows: i32, d: i32): void {
  const bytes = <usize>d << 2, sStep = <usize>ss << 2, dStep = <usize>ds << 2;
  for (let i = 0; i < rows; i++) {
    memory.copy(dst, src, bytes);
    src += sStep;
    dst += dStep;
  }
}
