import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp, startApp } from '@app/bootstrap';
import { TEST_API_KEY, type TestNamespace } from './environment';

export interface HttpTestApp {
  readonly app: INestApplication;
  readonly http: ReturnType<typeof request>;
  /** POST with the test API key. */
  readonly post: (url: string) => request.Test;
  /** DELETE with the test API key. */
  readonly del: (url: string) => request.Test;
}

/** Starts the whole server for a test namespace on a free port, with a supertest client. */
export async function startHttpApp(ns: TestNamespace): Promise<HttpTestApp> {
  const app = await createApp(ns.config);
  await startApp(app, '127.0.0.1', 0);
  const http = request(app.getHttpServer());
  return {
    app,
    http,
    post: (url) => http.post(url).set('x-api-key', TEST_API_KEY),
    del: (url) => http.delete(url).set('x-api-key', TEST_API_KEY),
  };
}
