import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request } from 'express';
import { AppConfig } from '@app/config';
import { AppError } from './app-error';

export const API_KEY_HEADER = 'x-api-key';
/** The OpenAPI security scheme of the key: operations that need it carry it, the rest show no lock. */
export const API_KEY_SCHEME = 'api-key';
const READ_ONLY = 'api-key:read-only';

/** Marks a POST that changes nothing (e.g. analysing text): it is keyed like a read. */
export const ReadOnly = (): MethodDecorator => SetMetadata(READ_ONLY, true);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Requires the configured API key on every mutating /api request (and on reads
 * too when READS_REQUIRE_API_KEY is set), in the `x-api-key` header or as a
 * Bearer token. Compares digests in constant time, so neither the key's
 * content nor its length leaks through timing. Health, metrics and the Swagger
 * UI stay open.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = digest(config.api.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.path.startsWith('/api/')) return true;
    const readOnly =
      !MUTATING.has(request.method) || this.reflector.get<boolean>(READ_ONLY, context.getHandler());
    if (readOnly && !this.config.api.readsRequireApiKey) return true;

    const presented = this.presentedKey(request);
    if (presented === null) {
      throw new AppError(
        'UNAUTHORIZED',
        `missing API key: send it in the ${API_KEY_HEADER} header`,
      );
    }
    if (!timingSafeEqual(digest(presented), this.expected)) {
      throw new AppError('UNAUTHORIZED', 'invalid API key');
    }
    return true;
  }

  private presentedKey(request: Request): string | null {
    const header = request.headers[API_KEY_HEADER];
    if (typeof header === 'string' && header !== '') return header;
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length);
    return null;
  }
}
