// The CLI's first import, evaluated before @tinylm/tensor loads its kernels: lets Node 20's V8 compile
// relaxed SIMD, so the fused multiply-add build of the kernels runs (TINYLM_FMA=0 keeps the plain one).
import { enableRelaxedSimd } from "@tinylm/tensor/node";

enableRelaxedSimd();
