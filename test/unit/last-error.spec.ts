import { LastError } from '@app/ingest/domain/last-error';

describe('LastError', () => {
  it('keeps the first time of a repeated error and marks it recovered once', () => {
    const errors = new LastError();
    expect(errors.status).toBeNull();
    errors.failed('HTTP 503', 1_000);
    errors.failed('HTTP 503', 2_000);
    expect(errors.status).toEqual({ message: 'HTTP 503', atMs: 1_000, recoveredAtMs: null });
    errors.succeeded(3_000);
    errors.succeeded(4_000);
    expect(errors.status).toEqual({ message: 'HTTP 503', atMs: 1_000, recoveredAtMs: 3_000 });
  });

  it('treats the same message after a recovery as a new error', () => {
    const errors = new LastError();
    errors.failed('timeout', 1_000);
    errors.succeeded(2_000);
    errors.failed('timeout', 5_000);
    expect(errors.status).toEqual({ message: 'timeout', atMs: 5_000, recoveredAtMs: null });
  });

  it('restores a persisted message without a time', () => {
    expect(new LastError('disk full').status).toEqual({
      message: 'disk full',
      atMs: null,
      recoveredAtMs: null,
    });
  });
});
