// Error responses in Databricks' shape: {error_code, message, details}. This is the server side of the
// wire (what the fake workspace answers), so it is separate from the client's typed errors in src/errors.

export class HttpApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(requestId: string): Record<string, unknown> {
    return {
      error_code: this.errorCode,
      message: this.message,
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: this.errorCode,
          domain: 'emulator.databricks.com',
        },
        { '@type': 'type.googleapis.com/google.rpc.RequestInfo', request_id: requestId, serving_data: '' },
      ],
    };
  }
}

export const invalidParameter = (message: string) => new HttpApiError(400, 'INVALID_PARAMETER_VALUE', message);
export const invalidState = (message: string) => new HttpApiError(400, 'INVALID_STATE', message);
export const malformedRequest = (message: string) => new HttpApiError(400, 'MALFORMED_REQUEST', message);
export const badRequest = (message: string) => new HttpApiError(400, 'BAD_REQUEST', message);
export const doesNotExist = (message: string) => new HttpApiError(404, 'RESOURCE_DOES_NOT_EXIST', message);
export const alreadyExists = (message: string) => new HttpApiError(409, 'RESOURCE_ALREADY_EXISTS', message);
export const conflict = (message: string) => new HttpApiError(409, 'RESOURCE_CONFLICT', message);
export const permissionDenied = (message: string) => new HttpApiError(403, 'PERMISSION_DENIED', message);
/** The Files API uses the gRPC-style codes rather than the RESOURCE_* ones. */
export const filesNotFound = (message: string) => new HttpApiError(404, 'NOT_FOUND', message);
export const filesAlreadyExists = (message: string) => new HttpApiError(409, 'ALREADY_EXISTS', message);

/** Jobs answers a missing job or run with 400, not 404 (the SDKs rewrite it to "does not exist"). */
export const jobDoesNotExist = (id: bigint) => invalidParameter(`Job ${id} does not exist.`);
export const runDoesNotExist = (id: bigint) => invalidParameter(`Run ${id} does not exist.`);
