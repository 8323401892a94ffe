import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { API_KEY_HEADER, API_KEY_SCHEME } from './common/api-key.guard';
import { type AppConfig } from './config';
import { ConsumerTransport } from './kafka/ports';
import { EVENTS_PATTERN } from './streaming/events.handler';
import { TREND_MINUTES_PATTERN } from './streaming/trend-minutes.handler';

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Builds the hybrid application (HTTP + the batch Kafka consumer) from a
 * validated config. main.ts and the end-to-end tests both start the server
 * through this function.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const logger = new ConsoleLogger({
    json: config.logging.format === 'json',
    colors: config.logging.format === 'pretty',
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logging.level) + 1),
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger,
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  // Nothing a client needs, and it names the framework to anyone probing.
  app.disable('x-powered-by');
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Reddit live analytics')
      .setDescription(
        'Control ingest streams and read per-subreddit event-time windows. Metrics for Prometheus are at /metrics.',
      )
      .setVersion('0.1.0')
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: API_KEY_HEADER,
          description: 'API_KEY from the server configuration',
        },
        API_KEY_SCHEME,
      )
      .addTag('streams', 'Start, list and stop ingest streams')
      .addTag('windows', 'Per-subreddit event-time windows')
      .addTag('trends', 'Rising terms, mood shifts and activity bursts')
      .addTag('live', 'Server-Sent Events: window updates and trends as they happen')
      .addTag('nlp', 'Sentiment, keywords and mentions of ad-hoc text')
      .addTag('health', 'Dependency health')
      .addTag('metrics', 'Prometheus scrape endpoint')
      .build(),
  );
  if (config.api.readsRequireApiKey) requireKeyOnEveryApiOperation(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });

  // The live page at /, as `npm run build` made it (dist/live-page).
  const page = livePageDirectory();
  if (page) app.useStaticAssets(page, { index: 'index.html', fallthrough: true });
  else logger.warn('The live page is not built (npm run build): / has nothing to show');

  if (!config.streaming.enabled) return app;
  app.connectMicroservice(
    {
      strategy: app.get(ConsumerTransport).strategy({
        [EVENTS_PATTERN]: config.kafka.topics.events,
        [TREND_MINUTES_PATTERN]: config.kafka.topics.trendMinutes,
      }),
    },
    { inheritAppConfig: true },
  );
  return app;
}

/** Starts HTTP and the consumer; resolves with the bound port. */
export async function startApp(app: INestApplication, host: string, port: number): Promise<number> {
  // Init first: topics and schemas are created in onModuleInit, before the consumer subscribes.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(port, host);
  const server = app.getHttpServer() as import('node:http').Server;
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** With READS_REQUIRE_API_KEY every /api operation needs the key, as the guard enforces. */
function requireKeyOnEveryApiOperation(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (operation && !operation.security?.length) operation.security = [{ [API_KEY_SCHEME]: [] }];
    }
  }
}

/**
 * dist/live-page beside the compiled server, or under the repository when
 * the server runs from its TypeScript sources (the end-to-end tests).
 */
function livePageDirectory(): string | null {
  const candidates = [join(__dirname, 'live-page'), join(__dirname, '..', 'dist', 'live-page')];
  return candidates.find((dir) => existsSync(join(dir, 'app.js'))) ?? null;
}
