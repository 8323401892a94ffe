import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { type Request, type Response } from 'express';
import { AppError, type AppErrorCode } from './app-error';

const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  INVALID_INPUT: HttpStatus.BAD_REQUEST,
  DEPENDENCY_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  UNPROCESSABLE: HttpStatus.UNPROCESSABLE_ENTITY,
};

/**
 * Nest's own exceptions (validation, unknown routes) answer in the same
 * vocabulary as AppError, so a client matches one set of `error` codes.
 */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  ...Object.fromEntries(Object.entries(STATUS_BY_CODE).map(([code, status]) => [status, code])),
  [HttpStatus.BAD_REQUEST]: 'INVALID_INPUT',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'METHOD_NOT_ALLOWED',
};

function codeOf(status: number): string {
  return CODE_BY_STATUS[status] ?? HttpStatus[status] ?? 'ERROR';
}

export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly details?: unknown;
}

/** Maps AppError codes (and Nest's own HttpExceptions, e.g. validation) to JSON error bodies. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const body =
      methodNotAllowed(exception, request, response) ??
      routeNotFound(exception, request) ??
      this.toBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    const parserError = bodyParserError(exception);
    if (parserError) return parserError;
    if (exception instanceof AppError) {
      const statusCode = STATUS_BY_CODE[exception.code];
      return {
        statusCode,
        error: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'message' in response) {
        const raw = response.message;
        const messages = Array.isArray(raw) ? raw.map(String) : [String(raw)];
        return {
          statusCode,
          error: codeOf(statusCode),
          message: messages.join('; '),
          ...(Array.isArray(raw) ? { details: { fields: messages } } : {}),
        };
      }
      return {
        statusCode,
        error: codeOf(statusCode),
        message: typeof response === 'string' ? response : exception.message,
      };
    }
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'INTERNAL_SERVER_ERROR',
      message: 'Internal server error',
    };
  }
}

/** Errors raised by Express's body parser before a request reaches a controller. */
function bodyParserError(exception: unknown): ErrorBody | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { type, status, limit } = exception as {
    type?: unknown;
    status?: unknown;
    limit?: unknown;
  };
  if (typeof type !== 'string' || typeof status !== 'number') return null;
  switch (type) {
    case 'entity.too.large':
      return {
        statusCode: HttpStatus.PAYLOAD_TOO_LARGE,
        error: 'PAYLOAD_TOO_LARGE',
        message: `request body is larger than the limit of ${String(limit)} bytes`,
        details: { limitBytes: limit },
      };
    case 'entity.parse.failed':
      return {
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'INVALID_INPUT',
        message: 'request body is not valid JSON',
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        error: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'request body encoding is not supported',
      };
    default:
      return status >= 400 && status < 500
        ? { statusCode: status, error: codeOf(status), message: type }
        : null;
  }
}

/** Express's message for a path no route serves. */
function isRouterNotFound(exception: unknown): exception is NotFoundException {
  return exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(exception.message);
}

/**
 * A path no route serves. Express's own message quotes the whole URL, query
 * string included, and a query string can carry a credential (`apiKey=`) or
 * anything else a client would not want echoed: this one names the path only.
 */
function routeNotFound(exception: unknown, request: Request): ErrorBody | null {
  if (!isRouterNotFound(exception)) return null;
  return {
    statusCode: HttpStatus.NOT_FOUND,
    error: 'NOT_FOUND',
    message: `Cannot ${request.method} ${request.path}`,
  };
}

interface RouteLayer {
  readonly route?: { readonly methods: Readonly<Record<string, boolean>> };
  match(path: string): boolean;
}

/**
 * A request no route took, on a path that some route serves with another
 * method: 405 with an Allow header rather than a 404 that suggests the path
 * does not exist. Read from Express's own route table, so it cannot drift
 * from the routes Nest registered.
 */
function methodNotAllowed(
  exception: unknown,
  request: Request,
  response: Response,
): ErrorBody | null {
  if (!isRouterNotFound(exception)) return null;
  const router = (request.app as unknown as { router?: { stack?: readonly RouteLayer[] } }).router;
  const allowed = new Set<string>();
  for (const layer of router?.stack ?? []) {
    if (!layer.route || !layer.match(request.path)) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') allowed.add(method.toUpperCase());
    }
  }
  if (allowed.size === 0 || allowed.has(request.method)) return null;
  if (allowed.has('GET')) allowed.add('HEAD');
  const methods = [...allowed].sort();
  response.setHeader('Allow', methods.join(', '));
  return {
    statusCode: HttpStatus.METHOD_NOT_ALLOWED,
    error: 'METHOD_NOT_ALLOWED',
    message: `${request.method} is not allowed on ${request.path}; allowed: ${methods.join(', ')}`,
    details: { allowed: methods },
  };
}
