/** The process edge, injectable: tests pass in-memory streams with the TTY flags they want. */
export interface IoStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Working directory for relative --out paths. */
  cwd: string;
}

/** The process's own streams, each created on first use (`--help` never opens stdin or stderr). */
export function processStreams(): IoStreams {
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
