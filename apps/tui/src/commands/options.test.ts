import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { integerArg, numberArg } from "./options.js";

const refusal = (parse: (v: string) => number, value: string): string => {
  try {
    parse(value);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
};

describe("integerArg", () => {
  it("accepts integers in range, with an optional sign and surrounding spaces", () => {
    const parse = integerArg(0);
    expect(parse("0")).toBe(0);
    expect(parse("10")).toBe(10);
    expect(parse(" +7 ")).toBe(7);
    expect(integerArg(-5, 5)("-5")).toBe(-5);
  });

  it.each(["abc", "", "1.5", "1e3", "0x10", "-1", "10abc", "9007199254740993"])("refuses %j for an integer >= 0", (value) => {
    expect(refusal(integerArg(0), value)).toBe("Expected an integer >= 0.");
  });

  it("names the range when there is a maximum", () => {
    expect(refusal(integerArg(1, 10_000), "10001")).toBe("Expected an integer in [1, 10000].");
    expect(refusal(integerArg(1, 10_000), "0")).toBe("Expected an integer in [1, 10000].");
  });
});

describe("numberArg", () => {
  it("accepts decimals and exponents in range", () => {
    expect(numberArg(0)("0.02")).toBe(0.02);
    expect(numberArg(0)(".5")).toBe(0.5);
    expect(numberArg(0)("2e-3")).toBe(0.002);
    expect(numberArg(0, 1, true)("1")).toBe(1);
  });

  it.each(["abc", "", "-0.1", "Infinity", "NaN", "1/2", "0x1"])("refuses %j for a number >= 0", (value) => {
    expect(refusal(numberArg(0), value)).toBe("Expected a number >= 0.");
  });

  it("refuses the excluded end of an open interval", () => {
    expect(refusal(numberArg(0, 1, true), "0")).toBe("Expected a number in (0, 1].");
    expect(refusal(numberArg(0, 1, true), "1.01")).toBe("Expected a number in (0, 1].");
  });
});
