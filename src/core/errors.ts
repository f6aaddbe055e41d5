/** Which remote service an error came from. */
export type ServiceName = "defender" | "sentinel" | "logsIngestion";

/** A request as it may appear in errors and logs: no Authorization header, no query secrets. */
export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** One failing location in a schema-checked payload. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * Base of every error this package throws. Guards compare `name` (not `instanceof`) so they keep working
 * when two copies of the package are loaded, as the Azure SDK guidelines require.
 */
export class SyncSdkError extends Error {
  override name = "SyncSdkError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** What an {@link HttpResponseError} (and each of its subclasses) is constructed from. */
export interface HttpResponseErrorInit {
  service: ServiceName;
  statusCode: number;
  code?: string;
  requestId?: string;
  request: RedactedRequest;
  details?: unknown;
  cause?: unknown;
}

/** A service answered with an error status (or an unusable body). */
export class HttpResponseError extends SyncSdkError {
  override name = "HttpResponseError";
  readonly service: ServiceName;
  readonly statusCode: number;
  /** The service's own error code (`error.code` in Graph and ARM bodies). */
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly request: RedactedRequest;
  readonly details: unknown;
  constructor(message: string, init: HttpResponseErrorInit) {
    super(message, { cause: init.cause });
    this.service = init.service;
    this.statusCode = init.statusCode;
    this.code = init.code;
    this.requestId = init.requestId;
    this.request = init.request;
    this.details = init.details;
  }
}

/** 400: the service rejected the request as invalid. */
export class BadRequestError extends HttpResponseError {
  override name = "BadRequestError";
}
/**
 * 401: the credential was missing, expired or for the wrong audience. Also thrown, with `statusCode` 0 and
 * `scopes` set, when the credential's `getToken` failed before anything was sent (e.g. `invalid_client`, or
 * no credential available): retrying cannot fix either, so it is never reported as a ConnectionError.
 */
export class AuthenticationError extends HttpResponseError {
  override name = "AuthenticationError";
  /** The scopes the token was requested for, when the credential itself failed. */
  readonly scopes: string[] | undefined;
  constructor(message: string, init: HttpResponseErrorInit & { scopes?: string[] }) {
    super(message, init);
    this.scopes = init.scopes;
  }
}
/** 403: authenticated, but lacking a permission or role (Graph SecurityIncident.ReadWrite.All, Sentinel Responder). */
export class AuthorizationError extends HttpResponseError {
  override name = "AuthorizationError";
}
/** 404 */
export class NotFoundError extends HttpResponseError {
  override name = "NotFoundError";
}
/** 409: for Sentinel, the etag sent is stale ("Newer version of resource ... exists"). */
export class ConflictError extends HttpResponseError {
  override name = "ConflictError";
}
/** 429 after retries ran out, or at once when its Retry-After exceeds `retryOptions.maxRetryAfterInMs`. */
export class ThrottledError extends HttpResponseError {
  override name = "ThrottledError";
  readonly retryAfterInMs: number | undefined;
  constructor(message: string, init: HttpResponseErrorInit & { retryAfterInMs?: number }) {
    super(message, init);
    this.retryAfterInMs = init.retryAfterInMs;
  }
}
/** 5xx after retries ran out, or a 503 whose Retry-After exceeds `retryOptions.maxRetryAfterInMs`. */
export class ServiceUnavailableError extends HttpResponseError {
  override name = "ServiceUnavailableError";
  /** The wait the service asked for (503 with Retry-After), if any. */
  readonly retryAfterInMs: number | undefined;
  constructor(message: string, init: HttpResponseErrorInit & { retryAfterInMs?: number }) {
    super(message, init);
    this.retryAfterInMs = init.retryAfterInMs;
  }
}
/** A 2xx response whose body is not JSON or does not match its schema. */
export class ResponseValidationError extends HttpResponseError {
  override name = "ResponseValidationError";
  readonly issues: ValidationIssue[];
  constructor(message: string, init: HttpResponseErrorInit & { issues: ValidationIssue[] }) {
    super(message, init);
    this.issues = init.issues;
  }
}

/**
 * A response (of any status) larger than `maxResponseBytes`: refused on its content-length before the body
 * is read, or as soon as the streamed body passes the cap, so it is never buffered whole. Not retried.
 */
export class ResponseTooLargeError extends ResponseValidationError {
  override name = "ResponseTooLargeError";
  readonly maxResponseBytes: number;
  /** The content-length the service announced, when that is what exceeded the cap. */
  readonly declaredBytes: number | undefined;
  /** Body bytes read before the read stopped (0 when refused on the announced length). */
  readonly receivedBytes: number;
  constructor(
    message: string,
    init: HttpResponseErrorInit & { maxResponseBytes: number; declaredBytes?: number; receivedBytes: number },
  ) {
    super(message, {
      ...init,
      issues: [{ path: "", message: `body larger than ${init.maxResponseBytes} bytes` }],
    });
    this.maxResponseBytes = init.maxResponseBytes;
    this.declaredBytes = init.declaredBytes;
    this.receivedBytes = init.receivedBytes;
  }
}

/** The caller passed an argument the client refuses to send (bad id, over-long comment, invalid body). */
export class InvalidArgumentError extends SyncSdkError {
  override name = "InvalidArgumentError";
  readonly argument: string;
  readonly issues: ValidationIssue[];
  constructor(argument: string, message: string, issues: ValidationIssue[] = []) {
    super(`Invalid ${argument}: ${message}`);
    this.argument = argument;
    this.issues = issues;
  }
}

/** A request (typically a `nextLink`) pointed at a host other than the configured endpoint; nothing was sent. */
export class UntrustedHostError extends SyncSdkError {
  override name = "UntrustedHostError";
  readonly url: string;
  readonly allowedOrigin: string;
  constructor(url: string, allowedOrigin: string) {
    super(
      `Refusing to send a request to ${safeOrigin(url)}: only ${allowedOrigin} is trusted with credentials`,
    );
    this.url = stripQuery(url);
    this.allowedOrigin = allowedOrigin;
  }
}

/** The operation was cancelled through its `abortSignal`. */
export class RequestAbortedError extends SyncSdkError {
  override name = "AbortError";
}

/** What a {@link ConnectionError} is constructed from; every field is optional. */
export interface ConnectionErrorInit {
  cause?: unknown;
  service?: ServiceName;
  /** The request, redacted. Its `method` tells whether the service may have applied it (POST, PATCH). */
  request?: RedactedRequest;
  /** The system error code (`ECONNRESET`, `ENOTFOUND`, …), when there is one. */
  code?: string;
}

/**
 * No response arrived (DNS, refused, reset, TLS) after retries ran out. A POST or PATCH whose connection
 * dropped after it was sent is not resent (the service may have applied it), so this error can mean "done".
 */
export class ConnectionError extends SyncSdkError {
  override name = "ConnectionError";
  readonly service: ServiceName | undefined;
  readonly request: RedactedRequest | undefined;
  readonly code: string | undefined;
  constructor(message: string, init: ConnectionErrorInit = {}) {
    super(message, { cause: init.cause });
    this.service = init.service;
    this.request = init.request;
    this.code = init.code;
  }
}

/**
 * An attempt got no complete response within `requestTimeoutInMs` (headers and body). A ConnectionError,
 * so `isConnectionError` is true; retried like a reset, i.e. only for idempotent methods.
 */
export class RequestTimeoutError extends ConnectionError {
  override name = "RequestTimeoutError";
  readonly timeoutInMs: number;
  constructor(message: string, init: ConnectionErrorInit & { timeoutInMs: number }) {
    super(message, init);
    this.timeoutInMs = init.timeoutInMs;
  }
}

/** Why a listing was stopped. */
export type PagingErrorReason =
  /** The service sent a next-page link (or cursor) this listing had already followed: it would loop. */
  | "repeatedLink"
  /** Too many empty pages in a row, each with yet another next-page link (`maxConsecutiveEmptyPages`). */
  | "emptyPages";

/**
 * A listing stopped because the service's paging would never end. The pages before it were returned; the
 * listing can be started again later. Next-page links are not included: they carry opaque skip tokens.
 */
export class PagingError extends SyncSdkError {
  override name = "PagingError";
  readonly service: ServiceName | undefined;
  readonly reason: PagingErrorReason;
  /** Pages fetched before stopping. */
  readonly pages: number;
  constructor(init: { service?: ServiceName; reason: PagingErrorReason; pages: number; message: string }) {
    super(init.message);
    this.service = init.service;
    this.reason = init.reason;
    this.pages = init.pages;
  }
}

/** A mapper produced a value the target schema rejects, or the input could not be mapped. */
export class MappingError extends SyncSdkError {
  override name = "MappingError";
  readonly field: string;
  readonly mapper: string;
  readonly issues: ValidationIssue[];
  constructor(init: {
    field: string;
    mapper: string;
    message: string;
    issues?: ValidationIssue[];
    cause?: unknown;
  }) {
    super(`Mapping failed for ${init.field} (mapper ${init.mapper}): ${init.message}`, { cause: init.cause });
    this.field = init.field;
    this.mapper = init.mapper;
    this.issues = init.issues ?? [];
  }
}

/**
 * A state store's files are damaged in a way a crash cannot explain: a torn line before the end of a log, a missing
 * or cut snapshot, a record of the wrong shape, unreadable watermarks. The store refuses to load (and leaves the
 * files as they are) because syncing on a partial ledger re-creates or overwrites incidents it no longer knows
 * about; restore the directory from a backup, or move it aside to start a new ledger deliberately.
 */
export class StateStoreCorruptedError extends SyncSdkError {
  override name = "StateStoreCorruptedError";
  /** Path of the damaged file. */
  readonly file: string;
  /** 1-based line of the damage, when it is one line. */
  readonly line: number | undefined;
  readonly issues: ValidationIssue[];
  constructor(
    file: string,
    line: number | undefined,
    problem: string,
    options: { issues?: ValidationIssue[]; cause?: unknown } = {},
  ) {
    super(`State store file ${file}${line === undefined ? "" : ` line ${line}`} is corrupt: ${problem}`, {
      cause: options.cause,
    });
    this.file = file;
    this.line = line;
    this.issues = options.issues ?? [];
  }
}

/** Another state store instance (in this process or another one) owns the state directory. */
export class StateStoreLockedError extends SyncSdkError {
  override name = "StateStoreLockedError";
  readonly directory: string;
  constructor(directory: string, problem: string) {
    super(`State directory ${directory} ${problem}`);
    this.directory = directory;
  }
}

function hasName(e: unknown, names: readonly string[]): boolean {
  return typeof e === "object" && e !== null && names.includes((e as { name?: unknown }).name as string);
}

const httpNames = [
  "HttpResponseError",
  "BadRequestError",
  "AuthenticationError",
  "AuthorizationError",
  "NotFoundError",
  "ConflictError",
  "ThrottledError",
  "ServiceUnavailableError",
  "ResponseValidationError",
  "ResponseTooLargeError",
] as const;

/**
 * True for every error this package throws (`SyncSdkError` and all its subclasses). It compares the error's `name`
 * rather than using `instanceof`, so it also recognises errors from another loaded copy of the package; narrow
 * further with `instanceof` or `name` (for example `"ThrottledError"`).
 */
export const isSyncSdkError = (e: unknown): e is SyncSdkError =>
  hasName(e, [
    "SyncSdkError",
    ...httpNames,
    "InvalidArgumentError",
    "UntrustedHostError",
    "AbortError",
    "ConnectionError",
    "RequestTimeoutError",
    "PagingError",
    "MappingError",
    "StateStoreCorruptedError",
    "StateStoreLockedError",
    "StateConflictError",
    "CycleTimeoutError",
    "LaneLostError",
  ]);
export const isHttpResponseError = (e: unknown): e is HttpResponseError => hasName(e, httpNames);
export const isBadRequestError = (e: unknown): e is BadRequestError => hasName(e, ["BadRequestError"]);
export const isAuthenticationError = (e: unknown): e is AuthenticationError =>
  hasName(e, ["AuthenticationError"]);
export const isAuthorizationError = (e: unknown): e is AuthorizationError =>
  hasName(e, ["AuthorizationError"]);
export const isNotFoundError = (e: unknown): e is NotFoundError => hasName(e, ["NotFoundError"]);
export const isConflictError = (e: unknown): e is ConflictError => hasName(e, ["ConflictError"]);
export const isThrottledError = (e: unknown): e is ThrottledError => hasName(e, ["ThrottledError"]);
export const isServiceUnavailableError = (e: unknown): e is ServiceUnavailableError =>
  hasName(e, ["ServiceUnavailableError"]);
export const isResponseValidationError = (e: unknown): e is ResponseValidationError =>
  hasName(e, ["ResponseValidationError", "ResponseTooLargeError"]);
export const isResponseTooLargeError = (e: unknown): e is ResponseTooLargeError =>
  hasName(e, ["ResponseTooLargeError"]);
export const isInvalidArgumentError = (e: unknown): e is InvalidArgumentError =>
  hasName(e, ["InvalidArgumentError"]);
export const isUntrustedHostError = (e: unknown): e is UntrustedHostError =>
  hasName(e, ["UntrustedHostError"]);
export const isAbortError = (e: unknown): e is RequestAbortedError => hasName(e, ["AbortError"]);
export const isConnectionError = (e: unknown): e is ConnectionError =>
  hasName(e, ["ConnectionError", "RequestTimeoutError"]);
export const isRequestTimeoutError = (e: unknown): e is RequestTimeoutError =>
  hasName(e, ["RequestTimeoutError"]);
export const isPagingError = (e: unknown): e is PagingError => hasName(e, ["PagingError"]);
export const isMappingError = (e: unknown): e is MappingError => hasName(e, ["MappingError"]);
export const isStateStoreCorruptedError = (e: unknown): e is StateStoreCorruptedError =>
  hasName(e, ["StateStoreCorruptedError"]);
export const isStateStoreLockedError = (e: unknown): e is StateStoreLockedError =>
  hasName(e, ["StateStoreLockedError"]);

function stripQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "<unparseable url>";
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "<unparseable url>";
  }
}
