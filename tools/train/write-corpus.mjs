#!/usr/bin/env node
// Writes a training corpus of the toy language with the TypeScript generator (the one definition of the
// language, in @tinylm/model): one text per line, words separated by spaces.
//
//   node tools/train/write-corpus.mjs --out FILE --texts N --length L --seed S [--topic-rate R] [--far-marks FILE]
//
// --topic-rate: the chance that a clause after the first is about the topic (default 0.15, the generator's).
// --far-marks: also write, per text, one character per word: 1 where the far rule decides the word
//   (farRuleWords: the topic noun of a later "the" subject), else 0. The trainer weights those words.
//
//   node tools/train/write-corpus.mjs --out FILE --probes N --gap G --seed S
//
// writes N far-dependency probes instead (TextGenerator.probe: the topic named only in the first clause, G+
// words back, ending "and the"), one per line: the topic, a tab, the text.
//
// Needs the built package (npx -y pnpm@12.4.2 build). The Python trainer reads the file.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { decode, farRuleWords, TextGenerator } = await import(new URL("../../packages/model/dist/index.js", import.meta.url).href);

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    texts: { type: "string" },
    length: { type: "string" },
    seed: { type: "string" },
    "topic-rate": { type: "string" },
    "far-marks": { type: "string" },
    probes: { type: "string" },
    gap: { type: "string" },
  },
});
const int = (name) => {
  const v = Number(values[name]);
  if (values[name] === undefined || !Number.isInteger(v) || v < 1) {
    console.error(`write-corpus: --${name} must be a positive integer; got ${values[name]}`);
    process.exit(2);
  }
  return v;
};
if (!values.out) {
  console.error("write-corpus: --out FILE is required");
  process.exit(2);
}
if (values.probes !== undefined) {
  const [n, gap, seed] = [int("probes"), int("gap"), int("seed")];
  const generator = new TextGenerator(seed);
  const lines = Array.from({ length: n }, () => {
    const probe = generator.probe(gap);
    return `${decode([probe.topic])}\t${decode(probe.ids)}`;
  });
  writeFileSync(values.out, lines.join("\n") + "\n");
  console.log(`wrote ${values.out}: ${n} probes, ${gap}+ words back, seed ${seed}`);
  process.exit(0);
}
const [texts, length, seed] = [int("texts"), int("length"), int("seed")];
const topicRate = values["topic-rate"] === undefined ? undefined : Number(values["topic-rate"]);
if (topicRate !== undefined && !(topicRate >= 0 && topicRate <= 1)) {
  console.error(`write-corpus: --topic-rate must be a number in [0, 1]; got ${values["topic-rate"]}`);
  process.exit(2);
}
const generator = new TextGenerator(seed);
const lines = [];
const marks = [];
for (let i = 0; i < texts; i++) {
  const ids = generator.text({ length, topicRate });
  lines.push(decode(ids));
  marks.push(farRuleWords(ids).map((m) => (m ? "1" : "0")).join(""));
}
writeFileSync(values.out, lines.join("\n") + "\n");
if (values["far-marks"]) writeFileSync(values["far-marks"], marks.join("\n") + "\n");
console.log(`wrote ${values.out}: ${texts} texts of ${length} words, seed ${seed}, topic rate ${topicRate ?? "0.15"}`);
