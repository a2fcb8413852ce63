// Error bodies exactly as Google's REST surfaces send them (../shared/gcp-api-facts.md §0, §2).
// Two dialects: the One Platform APIs (Run, IAM, Secret Manager, ...) put a canonical `status`
// and typed `details` in the body; Cloud Storage's JSON API sends `errors: [{domain, reason, ...}]`
// and no `status`.

export const CANONICAL_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export type ErrorDetail = Record<string, unknown> & { '@type': string };

/** Thrown by handlers; the server renders it in the dialect of the API that threw it. */
export class ApiError extends Error {
  constructor(
    readonly httpCode: number,
    message: string,
    readonly status: string = CANONICAL_STATUS[httpCode] ?? 'UNKNOWN',
    readonly details: ErrorDetail[] = [],
    /** Storage dialect: the `errors[0].reason` (conflict, notFound, conditionNotMet, ...). */
    readonly reason?: string,
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const errorInfo = (reason: string, domain: string, metadata: Record<string, string> = {}): ErrorDetail => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain,
  metadata,
});

export const badRequest = (field: string, description: string): ErrorDetail => ({
  '@type': 'type.googleapis.com/google.rpc.BadRequest',
  // Proto3 JSON omits an empty field (a violation of the request's top level names none).
  fieldViolations: [field ? { field, description } : { description }],
});

export const resourceInfo = (resourceType: string, resourceName: string, description = ''): ErrorDetail => ({
  '@type': 'type.googleapis.com/google.rpc.ResourceInfo',
  resourceType,
  resourceName,
  description,
});

export const invalidArgument = (message: string, field?: string): ApiError =>
  new ApiError(400, message, 'INVALID_ARGUMENT', field ? [badRequest(field, message)] : []);
export const notFound = (message: string): ApiError => new ApiError(404, message, 'NOT_FOUND');
export const alreadyExists = (message: string): ApiError => new ApiError(409, message, 'ALREADY_EXISTS');
export const aborted = (message: string): ApiError => new ApiError(409, message, 'ABORTED');
export const failedPrecondition = (message: string): ApiError => new ApiError(400, message, 'FAILED_PRECONDITION');

/** Cloud Storage dialect. */
export const storageError = (httpCode: number, reason: string, message: string, extra: Record<string, unknown> = {}): ApiError =>
  new ApiError(httpCode, message, CANONICAL_STATUS[httpCode] ?? 'UNKNOWN', [], reason, extra);

export type ErrorDialect = 'google' | 'storage';

export function renderError(err: ApiError, dialect: ErrorDialect): unknown {
  if (dialect === 'storage') {
    return {
      error: {
        code: err.httpCode,
        message: err.message,
        errors: [{ message: err.message, domain: 'global', reason: err.reason ?? defaultStorageReason(err.httpCode), ...err.extra }],
      },
    };
  }
  const body: Record<string, unknown> = { code: err.httpCode, message: err.message, status: err.status };
  if (err.details.length > 0) body.details = err.details;
  return { error: body };
}

function defaultStorageReason(code: number): string {
  switch (code) {
    case 400:
      return 'invalid';
    case 401:
      return 'required';
    case 403:
      return 'forbidden';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 412:
      return 'conditionNotMet';
    case 429:
      return 'rateLimitExceeded';
    case 503:
      return 'backendError';
    default:
      return 'backendError';
  }
}
