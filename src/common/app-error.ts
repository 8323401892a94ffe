/**
 * Error codes every module may raise. The HTTP exception filter maps each to a
 * status; Kafka handlers decide retry vs dead-letter from the same codes. Code
 * below a controller throws these, never an HttpException.
 */
export type AppErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_INPUT'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNPROCESSABLE';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
