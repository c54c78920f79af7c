// The two builds of the kernels and the memory they share. `plain` is WebAssembly SIMD, where a
// multiply-add is a multiply then an add; `relaxed` uses relaxed SIMD's f32x4.relaxed_madd, one fused
// multiply-add per lane where the CPU has it (assembly/simd.ts). The relaxed build is compiled only where
// WebAssembly.validate accepts it (browsers and Node 22+ do; Node 20 after
// v8.setFlagsFromString("--experimental-wasm-relaxed-simd"), see @tinylm/tensor/node), and picked unless
// TINYLM_FMA=0. Each build is exact within itself; the two differ in the last bits.
//
// The memory is shared (a SharedArrayBuffer under it) where the runtime allows, so worker threads
// (pool.ts) can run the same kernels on it; otherwise it is an ordinary memory and one thread runs.
// Both builds declare an imported memory; for a shared one the import's limits flag is rewritten to
// "shared" before compiling (the only difference between the two binaries).

export type Variant = "plain" | "relaxed";

export interface CompiledKernels {
  readonly modules: { readonly plain: WebAssembly.Module; readonly relaxed?: WebAssembly.Module };
  /** Why the relaxed build is not compiled, when it is not. */
  readonly relaxedReason?: string;
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Why the memory is not shared (so one thread runs), when it is not. */
  readonly sharedReason?: string;
}

/** Why shared memory cannot be had here, or undefined when it can. */
export function sharedMemoryUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer === "undefined") {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return isolated === false
      ? "SharedArrayBuffer is unavailable: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)"
      : "SharedArrayBuffer is unavailable in this runtime";
  }
  return undefined;
}

/** Compiles the builds and creates their memory of `pages` 64 KiB pages (initial = maximum). */
export function compileKernels(plain: Uint8Array, relaxed: Uint8Array | undefined, pages: number, wantShared: boolean): CompiledKernels {
  let sharedReason = wantShared ? sharedMemoryUnavailable() : "one thread was asked for";
  let memory: WebAssembly.Memory | undefined;
  if (sharedReason === undefined) {
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    } catch (e) {
      sharedReason = `a shared WebAssembly.Memory cannot be created: ${(e as Error).message}`;
    }
  }
  const shared = memory !== undefined;
  memory ??= new WebAssembly.Memory({ initial: pages, maximum: pages });
  const prepare = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => (shared ? withSharedMemory(bytes) : new Uint8Array(bytes));
  let relaxedReason: string | undefined;
  let relaxedModule: WebAssembly.Module | undefined;
  const env = typeof process !== "undefined" ? process.env?.["TINYLM_FMA"] : undefined;
  if (!relaxed) relaxedReason = "the relaxed-SIMD build is missing";
  else if (env === "0") relaxedReason = "TINYLM_FMA=0";
  else {
    const bytes = prepare(relaxed);
    if (!WebAssembly.validate(bytes)) {
      relaxedReason = "this runtime does not accept relaxed SIMD (on Node 20: v8.setFlagsFromString(\"--experimental-wasm-relaxed-simd\") before the kernels load; see @tinylm/tensor/node)";
    } else relaxedModule = new WebAssembly.Module(bytes);
  }
  const modules = { plain: new WebAssembly.Module(prepare(plain)), ...(relaxedModule ? { relaxed: relaxedModule } : {}) };
  return { modules, memory, shared, ...(relaxedReason ? { relaxedReason } : {}), ...(sharedReason ? { sharedReason } : {}) };
}

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, at];
  }
}

/**
 * A copy of a module whose imported memory is declared shared: the limits flag of the memory import goes
 * from 0x01 (min and max) to 0x03 (min, max, shared). Throws if the module has no such import.
 */
export function withSharedMemory(module: Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = module.slice();
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, body] = leb(bytes, at + 1);
    if (id === 2) {
      let p: number;
      let count: number;
      [count, p] = leb(bytes, body);
      for (let i = 0; i < count; i++) {
        let len: number;
        [len, p] = leb(bytes, p);
        p += len; // module name
        [len, p] = leb(bytes, p);
        p += len; // field name
        const kind = bytes[p++]!;
        if (kind === 0x02) {
          if (bytes[p] === 0x01) bytes[p] = 0x03;
          if (bytes[p] !== 0x03) throw new Error("the memory import has no maximum, so it cannot be shared");
          return bytes;
        }
        if (kind === 0x00) [, p] = leb(bytes, p); // function: type index
        else if (kind === 0x01) { // table: reftype, limits
          p++;
          const flag = bytes[p++]!;
          [, p] = leb(bytes, p);
          if (flag & 1) [, p] = leb(bytes, p);
        } else if (kind === 0x03) p += 2; // global: valtype, mutability
        else throw new Error(`unknown import kind ${kind}`);
      }
    }
    at = body + size;
  }
  throw new Error("the module imports no memory");
}
