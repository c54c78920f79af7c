// Fitting measured curves: a power law y = a·x^b by least squares on log–log axes, the one scale factor
// that turns a cost model (operations) into time, and a two-term cost (per step + per operation).
import { UsageError } from "./errors.js";

export interface PowerLaw {
  readonly coefficient: number; // a
  readonly exponent: number; // b
  readonly r2: number; // coefficient of determination of the log–log line
}

function logs(op: string, xs: readonly number[], ys: readonly number[]): { lx: number[]; ly: number[] } {
  if (xs.length !== ys.length) throw new UsageError(`${op}: x and y differ in length; got ${xs.length} and ${ys.length}, expected equal lengths`);
  const bad = [...xs, ...ys].find((v) => !(v > 0) || !Number.isFinite(v));
  if (bad !== undefined) throw new UsageError(`${op}: every value must be positive and finite for log–log fitting; got ${bad}`);
  return { lx: xs.map(Math.log), ly: ys.map(Math.log) };
}

/**
 * Least-squares line through (ln x, ln y): ln y = ln a + b·ln x. Needs two distinct x values or more.
 * fitPowerLaw([1, 2, 4], [3, 12, 48]) // { coefficient: 3, exponent: 2, r2: 1 }
 */
export function fitPowerLaw(xs: readonly number[], ys: readonly number[]): PowerLaw {
  const { lx, ly } = logs("fitPowerLaw", xs, ys);
  const n = lx.length;
  const mx = lx.reduce((s, v) => s + v, 0) / n;
  const my = ly.reduce((s, v) => s + v, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i]! - mx) ** 2;
    sxy += (lx[i]! - mx) * (ly[i]! - my);
    syy += (ly[i]! - my) ** 2;
  }
  if (n < 2 || sxx === 0) throw new UsageError(`fitPowerLaw: need at least two distinct x values; got ${n} point(s)`);
  const exponent = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { coefficient: Math.exp(my - exponent * mx), exponent, r2 };
}

/** a·x^b at each x. */
export function evalPowerLaw(law: PowerLaw, xs: readonly number[]): number[] {
  return xs.map((x) => law.coefficient * x ** law.exponent);
}

/**
 * The k that best gives measured ≈ k·predicted in relative terms: least squares of ln(measured) against
 * ln(predicted) with the slope fixed at 1, i.e. the geometric mean of measured/predicted.
 * fitScale([1, 2], [3, 6]) // 3
 */
export function fitScale(predicted: readonly number[], measured: readonly number[]): number {
  const { lx, ly } = logs("fitScale", predicted, measured);
  if (lx.length === 0) throw new UsageError("fitScale: need at least one point; got 0");
  return Math.exp(ly.reduce((s, v, i) => s + v - lx[i]!, 0) / ly.length);
}

export interface StepCost {
  readonly perStep: number; // y per step: fixed costs that do not scale with operations
  readonly perOp: number; // y per operation (multiply-add)
}

/**
 * The best y ≈ perStep·steps + perOp·ops in relative terms: least squares of (fit − y) / y, so small and
 * large runs weigh alike. Both coefficients are kept >= 0: if the unconstrained solution has a negative
 * one, that term is dropped and the other refitted alone.
 * fitStepCost([1, 2, 3], [10, 40, 90], [12, 44, 96]) // { perStep: 2, perOp: 1 }
 */
export function fitStepCost(steps: readonly number[], ops: readonly number[], ys: readonly number[]): StepCost {
  logs("fitStepCost", steps, ys);
  logs("fitStepCost", ops, ys);
  let uu = 0, uv = 0, vv = 0, u1 = 0, v1 = 0;
  ys.forEach((y, i) => {
    const u = steps[i]! / y, v = ops[i]! / y;
    uu += u * u; uv += u * v; vv += v * v; u1 += u; v1 += v;
  });
  const det = uu * vv - uv * uv;
  const perStep = det > 0 ? (u1 * vv - v1 * uv) / det : -1;
  const perOp = det > 0 ? (uu * v1 - uv * u1) / det : -1;
  if (perStep >= 0 && perOp >= 0) return { perStep, perOp };
  // one term alone: minimise Σ(c·w − 1)² -> c = Σw / Σw²
  const alone = { perStep: 0, perOp: v1 / vv };
  if (perOp < 0 && perStep > 0) return { perStep: u1 / uu, perOp: 0 };
  return alone;
}

export interface RunCost {
  readonly perRun: number; // y once per run: setup, the first steps' warm-up, anything that does not repeat
  readonly perStep: number; // y per step: fixed costs that do not scale with operations
  readonly perOp: number; // y per operation (multiply-add)
}

/**
 * The best y ≈ perRun + perStep·steps + perOp·ops in relative terms (least squares of (fit − y) / y), every
 * coefficient >= 0: the unconstrained solution when it has no negative term, else the best of the fits
 * with some terms dropped (at most 7 subsets of 3 terms, so the search is exhaustive).
 * fitRunCost([1, 2, 3], [10, 40, 90], [15, 47, 99]) // { perRun: 3, perStep: 2, perOp: 1 }
 */
export function fitRunCost(steps: readonly number[], ops: readonly number[], ys: readonly number[]): RunCost {
  logs("fitRunCost", steps, ys);
  logs("fitRunCost", ops, ys);
  const columns = [ys.map((y) => 1 / y), steps.map((s, i) => s / ys[i]!), ops.map((o, i) => o / ys[i]!)];
  let best: { coef: number[]; residual: number } | null = null;
  for (let mask = 1; mask < 8; mask++) {
    const used = [0, 1, 2].filter((j) => mask & (1 << j));
    const coef = solveLeastSquares(used.map((j) => columns[j]!));
    if (coef === null || coef.some((c) => c < 0)) continue;
    const full = [0, 0, 0];
    used.forEach((j, k) => (full[j] = coef[k]!));
    const residual = ys.reduce((s, _, i) => s + (full[0]! * columns[0]![i]! + full[1]! * columns[1]![i]! + full[2]! * columns[2]![i]! - 1) ** 2, 0);
    if (best === null || residual < best.residual - 1e-15 * Math.max(1, best.residual)) best = { coef: full, residual };
  }
  const [perRun, perStep, perOp] = best?.coef ?? [0, 0, 0];
  return { perRun: perRun!, perStep: perStep!, perOp: perOp! };
}

/** Least squares of Σ_j c_j·x_j ≈ 1 by the normal equations (Gaussian elimination); null when singular. */
function solveLeastSquares(xs: readonly (readonly number[])[]): number[] | null {
  const m = xs.length;
  const a = xs.map((xi) => [...xs.map((xj) => xi.reduce((s, v, r) => s + v * xj[r]!, 0)), xi.reduce((s, v) => s + v, 0)]);
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-300) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= m; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return a.map((row, i) => row[m]! / row[i]!);
}
