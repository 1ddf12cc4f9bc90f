import { AwsError, VpcwireError } from "../core/errors.js";

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string>; body?: unknown };
  $responseBodyText?: string;
}

/**
 * Turn whatever a client threw into an AwsError that names the service and operation, the AWS code,
 * the message and the request id. Replies that are not AWS-shaped (an HTML error page, a 501 from an
 * emulator that lacks the operation) are reported as such, because a user pointing --endpoint-url at
 * an emulator needs to hear "this emulator does not do X", not "Unknown".
 */
export function toAwsError(error: unknown, service: string, operation: string, endpointUrl?: string): VpcwireError {
  if (error instanceof VpcwireError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId ?? e.$response?.headers?.["x-amzn-requestid"] ?? e.$response?.headers?.["x-amz-request-id"];
  const base = { service, operation, ...(requestId ? { requestId } : {}), ...(status ? { httpStatus: status } : {}) };

  if (e.name === "CredentialsProviderError") {
    return new AwsError(
      `No AWS credentials for ${service} ${operation}: ${
        /profile/i.test(e.message ?? "") ? `${e.message?.split("\n")[0]}; ` : ""
      }set AWS_PROFILE or pass --profile, run 'aws sso login', or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (planning commands also run without an account: --dry-run --offline).`,
      { ...base, code: "CredentialsError" },
      { cause: error },
    );
  }
  if (e.message?.startsWith("Region is missing") || e.name === "RegionMissingError") {
    return new AwsError(`No AWS region: pass --region or set AWS_REGION.`, { ...base, code: "RegionMissing" }, { cause: error });
  }
  if (status === undefined) {
    const netCode = e.code ?? e.name ?? "Error";
    const where = endpointUrl ? ` at ${endpointUrl}` : "";
    return new AwsError(
      `Could not reach ${service}${where} for ${operation}: ${e.message ?? netCode}`,
      { ...base, code: netCode === "Error" ? "NetworkError" : netCode },
      { cause: error },
    );
  }
  const notAws =
    e.name === "Unknown" ||
    e.name === "UnknownError" ||
    e.name === "SyntaxError" ||
    (e.message ?? "").includes("Deserialization error") ||
    e.$responseBodyText !== undefined;
  if (notAws) {
    const body = bodySnippet(e);
    const hint = endpointUrl ? ` The endpoint ${endpointUrl} may not implement ${service} ${operation}.` : "";
    return new AwsError(
      `${service} ${operation} got a reply that is not a valid AWS response (HTTP ${status}${body ? `: ${body}` : ""}).${hint}`,
      { ...base, code: "NonAwsResponse" },
      { cause: error },
    );
  }
  const code = e.Code ?? e.name ?? "UnknownError";
  const message = e.message && e.message !== code ? e.message : "(no message)";
  return new AwsError(`${service} ${operation} failed: ${code}: ${message}`, { ...base, code }, { cause: error });
}

function bodySnippet(e: SdkErrorShape): string {
  const text = e.$responseBodyText ?? "";
  const flat = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (flat) return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
  const m = /"(.{1,60})"\.\.\. is not valid JSON/.exec(e.message ?? "");
  return m ? `starts with ${JSON.stringify(m[1])}` : "";
}

/** The AWS error code of an error, whether raw from the SDK or already mapped. */
export function awsCode(error: unknown): string | undefined {
  if (error instanceof AwsError) return error.details.code;
  const e = error as SdkErrorShape | undefined;
  return e?.Code ?? e?.name;
}

/** `InvalidVpnGatewayID.NotFound` and friends: an id that does not exist (or not yet: eventual consistency). */
export function isNotFound(error: unknown): boolean {
  const code = awsCode(error) ?? "";
  return code.endsWith(".NotFound") || code.endsWith("NotFoundException") || code.endsWith("NotFound");
}

/** Codes an endpoint gives for an operation it does not implement (emulators), besides non-AWS replies. */
const UNSUPPORTED = new Set(["NonAwsResponse", "InvalidAction", "UnsupportedOperation", "NotImplemented", "InternalFailure"]);

/** The endpoint does not implement the operation (an emulator): callers that can do without it warn and go on. */
export function isUnsupportedOperation(error: unknown): boolean {
  return UNSUPPORTED.has(awsCode(error) ?? "");
}

/** Errors that mean "something that depends on this still exists; try again shortly". */
const DEPENDENCY_CODES = new Set(["DependencyViolation", "IncorrectState", "InvalidVpnGatewayState", "ResourceInUse", "ResourceInUseException"]);

export function isDependencyError(error: unknown): boolean {
  return DEPENDENCY_CODES.has(awsCode(error) ?? "");
}
