/**
 * The engine never prints: it talks to an Io host. `src/ui/` provides the interactive, plain and
 * JSON hosts; tests use the same hosts over in-memory streams.
 */

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  disabled?: boolean | string;
}

/** Questions for the wizard. Only available when `Io.interactive` is true. */
export interface Prompter {
  input(opts: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  password(opts: { message: string; validate?: (value: string) => true | string }): Promise<string>;
  select<T>(opts: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  /** Type to filter: `source` gets the typed text and returns the choices to show. */
  search<T>(opts: { message: string; source: (term: string | undefined) => Choice<T>[] | Promise<Choice<T>[]> }): Promise<T>;
  checkbox<T>(opts: { message: string; choices: (Choice<T> & { checked?: boolean })[]; required?: boolean }): Promise<T[]>;
  confirm(opts: { message: string; default?: boolean }): Promise<boolean>;
}

/** A long-running step shown to the user: a spinner line when interactive, plain lines otherwise. */
export interface Task {
  /** The state changed (for example `pending` -> `available`); shown with the elapsed time. */
  update(state: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
}

export interface Io {
  /** True when prompts may be shown (TTYs, not CI, no --yes/--json). */
  readonly interactive: boolean;
  /** Results for stdout: the plan, JSON, a rendered config. Nothing else goes there. */
  result(text: string): void;
  /** Talk for stderr. */
  info(text: string): void;
  warn(text: string): void;
  success(text: string): void;
  /** Only with --verbose. */
  debug(text: string): void;
  task(label: string): Task;
  prompt: Prompter;
  /** Styling helpers that honour --no-color / NO_COLOR / non-TTY. */
  style: Style;
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
}
