/**
 * src/ui/io.ts: results on stdout are styled for a colour terminal and plain everywhere else (a file or
 * pipe gets no escape sequences, whether vpcwire styled them or they came in with data from AWS).
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { realClock } from "../../src/core/context.js";
import { createIo } from "../../src/ui/io.js";
import type { IoStreams } from "../../src/ui/streams.js";

function streams(tty: boolean): { streams: IoStreams; out: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty, columns: 80 });
  const chunks: Buffer[] = [];
  stdout.on("data", (c: Buffer) => chunks.push(c));
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 80 });
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  return { streams: { stdin, stdout, stderr, env: { FORCE_COLOR: "1" }, cwd: "/" }, out: () => Buffer.concat(chunks).toString() };
}

const opts = { json: false, yes: true, color: true, verbose: false };

describe("io.result", () => {
  it("a file or pipe gets plain text: 7-bit and 8-bit escape sequences are removed, plain text is untouched", async () => {
    const s = streams(false);
    const io = await createIo(s.streams, opts, realClock, new AbortController().signal);
    io.result("\x1b[31mred\x1b[39m and \x9b1mbold\x9b22m");
    io.result("only 8-bit: \x9b1mbold\x9b22m");
    io.result("plain: 10.0.0.0/8 [x] ~ ü");
    expect(s.out()).toBe("red and bold\nonly 8-bit: bold\nplain: 10.0.0.0/8 [x] ~ ü\n");
  });

  it("a colour terminal gets the styles as they are", async () => {
    const s = streams(true);
    const io = await createIo(s.streams, opts, realClock, new AbortController().signal);
    io.result("\x1b[31mred\x1b[39m");
    expect(s.out()).toBe("\x1b[31mred\x1b[39m\n");
  });
});
