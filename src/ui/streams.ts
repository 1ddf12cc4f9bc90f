import { fstatSync, statSync, writeSync } from "node:fs";

/** The process edge, injectable: tests pass in-memory streams with the TTY flags they want. */
export interface IoStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Working directory for relative --out paths. */
  cwd: string;
}

/**
 * The process's streams, each set up on first use (`--help` never opens stdin or stderr). Output to a
 * pipe, socket or file is written with fs.writeSync, as Node's own process.stdout does for files (and its
 * pipes are synchronous on Linux too): creating process.stdout loads Node's stream modules, which costs a
 * fifth of a bare `node` start. Terminals get the process's own streams (spinners, prompts, colours).
 */
export function processStreams(): IoStreams {
  let stdout: IoStreams["stdout"] | undefined;
  let stderr: IoStreams["stderr"] | undefined;
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      stdout ??= output(1, () => process.stdout);
      return stdout;
    },
    get stderr() {
      stderr ??= output(2, () => process.stderr);
      return stderr;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * A writer straight to `fd` when it is a pipe, socket, file or /dev/null (where benchmarks and scripts send
 * output); otherwise (a terminal) the stream itself. /dev/null is recognised by its device number: asking
 * node:tty whether a device is a terminal would load the stream modules this avoids.
 */
function output(fd: 1 | 2, stream: () => NodeJS.WriteStream): IoStreams["stdout"] {
  let direct = false;
  try {
    const stat = fstatSync(fd);
    direct = stat.isFIFO() || stat.isSocket() || stat.isFile() || (stat.isCharacterDevice() && stat.rdev === statSync("/dev/null").rdev);
  } catch {
    direct = false;
  }
  if (!direct) return stream();
  let blocked = false;
  let gone = false;
  const write = (chunk: string | Uint8Array): boolean => {
    if (gone) return true;
    let bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    while (!blocked && bytes.length > 0) {
      try {
        bytes = bytes.subarray(writeSync(fd, bytes));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // The reader has gone (`vpcwire ... | head`): the rest of the output has nowhere to go, as with any
        // command line tool; the command itself goes on and exits with its own code.
        if (code === "EPIPE") {
          gone = true;
          return true;
        }
        // A non-blocking descriptor that is full: the stream waits for it properly, from here on.
        if (code !== "EAGAIN") throw error;
        blocked = true;
      }
    }
    return bytes.length > 0 ? stream().write(bytes) : true;
  };
  return { isTTY: false, write } as unknown as IoStreams["stdout"];
}
