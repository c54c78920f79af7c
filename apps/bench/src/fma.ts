// The first import of the benchmark entries, evaluated before @tinylm/tensor loads its kernels: lets
// Node 20's V8 compile relaxed SIMD, so the fused multiply-add build can run (TINYLM_FMA=0 keeps the plain one).
import { enableRelaxedSimd } from "@tinylm/tensor/node";

enableRelaxedSimd();
