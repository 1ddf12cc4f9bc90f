/**
 * The error hierarchy. Only `src/cli/main.ts` turns these into exit codes; everything else throws.
 *
 * exit 2   UsageError      bad or missing input, detected before any AWS call
 * exit 1   AwsError        AWS (or an emulator) refused a call; carries code, message, request id
 * exit 1   ApplyError      a run failed part-way; carries what exists now and how to resume or undo
 * exit 3   AbortedError    the user answered "no" at the confirmation
 * exit 130 InterruptedError Ctrl-C (or the wait timed out, with exitCode 1)
 */
export class VpcwireError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input. The message names the flag and the rule, in one line. */
export class UsageError extends VpcwireError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Shorthand for the common "flag X: rule" usage error. */
export function flagError(flag: string, rule: string): UsageError {
  return new UsageError(`${flag}: ${rule}`);
}

export interface AwsErrorDetails {
  /** The operation that failed, e.g. `CreateVpnGateway`. */
  operation: string;
  /** The service, e.g. `EC2`. */
  service: string;
  /** AWS error code (`InvalidVpcID.NotFound`) or `NonAwsResponse` when the reply was not AWS-shaped. */
  code: string;
  requestId?: string;
  httpStatus?: number;
}

/** AWS (or an emulator behind --endpoint-url) refused a call. */
export class AwsError extends VpcwireError {
  readonly details: AwsErrorDetails;
  constructor(message: string, details: AwsErrorDetails, options?: { cause?: unknown }) {
    super(message, 1, options);
    this.details = details;
  }
}

/** The user declined at the confirmation prompt. */
export class AbortedError extends VpcwireError {
  constructor(message = "Cancelled: nothing was changed.") {
    super(message, 3);
  }
}

/** Ctrl-C (exit 130) or a wait that ran past --timeout (exit 1). */
export class InterruptedError extends VpcwireError {
  readonly reason: "signal" | "timeout";
  constructor(message: string, reason: "signal" | "timeout") {
    super(message, reason === "signal" ? 130 : 1);
    this.reason = reason;
  }
}

/** A resource that exists after a (partial) run, for the failure report and `destroy`. */
export interface ExistingResource {
  kind: string;
  id: string;
  /**
   * `created` by this run or an earlier run of the stack, `reused` (never removed by destroy), or
   * `changed`: an existing resource this stack modified (route propagation, a security-group rule).
   */
  origin: "created" | "reused" | "changed" | "deleted";
  /** Still settling (for example a VPN connection in `pending`). */
  state?: string;
}

/** A run that stopped part-way. Wraps the original cause and says what exists and what to do next. */
export class ApplyError extends VpcwireError {
  readonly existing: ExistingResource[];
  readonly resumeCommand: string;
  readonly destroyCommand: string;
  readonly failedStep: string | undefined;
  constructor(cause: VpcwireError | Error, report: { existing: ExistingResource[]; resumeCommand: string; destroyCommand: string; failedStep?: string }) {
    super(cause.message, cause instanceof VpcwireError ? cause.exitCode : 1, { cause });
    this.existing = report.existing;
    this.resumeCommand = report.resumeCommand;
    this.destroyCommand = report.destroyCommand;
    this.failedStep = report.failedStep;
  }
}
