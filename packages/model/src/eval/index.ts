// `tinylm eval`'s library: what each cache strategy costs in quality, memory and speed on one model.
export { defaultStrategies, defaultWindows, parseStrategy, type EvalStrategy } from "./strategies.js";
export { evaluate, evalPlan, EVAL_SEEDS, type EvalOptions, type EvalPlan, type EvalReport, type StrategyEval } from "./evaluate.js";
export { attentionMass, isSink, SINK_SHARE, type LayerMass } from "./attention-mass.js";
