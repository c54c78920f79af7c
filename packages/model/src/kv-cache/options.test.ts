// createCache: every strategy by name, the defaults, and the validation of the options.
import { describe, expect, it } from "vitest";
import { makeConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { CACHE_KINDS, createCache, DEFAULT_BLOCK_SIZE, DEFAULT_SINKS, defaultWindow } from "./index.js";
import { PagedCache } from "./paged-cache.js";
import { SinksCache } from "./sinks-cache.js";
import { SlidingWindowCache } from "./sliding-window-cache.js";

const config = makeConfig({ contextLength: 64 });

describe("createCache", () => {
  it("builds every strategy of CACHE_KINDS, each labelled with its name", () => {
    expect(CACHE_KINDS).toEqual(["none", "full", "paged", "sliding-window", "sinks", "int8"]);
    for (const kind of CACHE_KINDS) expect(createCache(kind, config).kind).toBe(kind);
  });

  it("uses the documented defaults: window context_length / 2, 4 sinks, blocks of 64 (at most the context)", () => {
    expect([defaultWindow(config), DEFAULT_SINKS, DEFAULT_BLOCK_SIZE]).toEqual([32, 4, 64]);
    expect(defaultWindow(makeConfig({ contextLength: 1 }))).toBe(1);
    expect(createCache("sliding-window", config).span).toEqual({ window: 32, sinks: 0 });
    expect(createCache("sinks", config).span).toEqual({ window: 32, sinks: 4 });
    expect((createCache("paged", config) as PagedCache).blockSize).toBe(64);
    expect((createCache("paged", makeConfig({ contextLength: 32 })) as PagedCache).blockSize).toBe(32);
  });

  it("passes the options to the strategy that uses them", () => {
    expect(createCache("sinks", config, { window: 5, sinks: 0 }).span).toEqual({ window: 5, sinks: 0 });
    expect(createCache("sliding-window", config, { window: 5, sinks: 3 }).span).toEqual({ window: 5, sinks: 0 }); // sinks: not its option
    expect((createCache("paged", config, { blockSize: 1 }) as PagedCache).blockSize).toBe(1);
    expect(createCache("sliding-window", config, { window: 1000 }).capacity).toBe(1000); // windows may exceed the context
  });

  it.each([
    [{ window: 0 }, /config: window must be an integer in \[1, 10000\].*; got 0/],
    [{ window: 2.5 }, /window must be an integer/],
    [{ window: 10_001 }, /window must be an integer in \[1, 10000\]/],
    [{ sinks: -1 }, /config: sinks must be an integer in \[0, 10000\].*; got -1/],
    [{ sinks: Number.NaN }, /sinks must be an integer/],
    [{ blockSize: 0 }, /config: block_size must be an integer in \[1, 10000\].*; got 0/],
  ])("rejects %o with a ConfigError, whatever the strategy", (options, message) => {
    for (const kind of CACHE_KINDS) {
      expect(() => createCache(kind, config, options)).toThrow(ConfigError);
      expect(() => createCache(kind, config, options)).toThrow(message);
    }
    expect(() => new SlidingWindowCache(config, options)).toThrow(ConfigError);
    expect(() => new SinksCache(config, options)).toThrow(ConfigError);
    expect(() => new PagedCache(config, options)).toThrow(ConfigError);
  });

  it("rejects an unknown strategy and lists the known ones", () => {
    expect(() => createCache("lru", config)).toThrow(/config: cache is not a cache strategy \(choose one of: none, full, paged, sliding-window, sinks, int8\); got "lru"/);
  });
});
