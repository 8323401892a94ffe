import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, startApp } from './bootstrap';
import { AppConfig, ConfigValidationError, validateEnvironment } from './config';

const SHUTDOWN_GRACE_MS = 20_000;

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment(validateEnvironment(process.env));
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  // Nest runs the shutdown hooks on SIGTERM/SIGINT; if a dependency is down they
  // can wait on retries. Bound the wait so an orchestrator's stop never hangs.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`Shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting.\n`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
    });
  }
  const port = await startApp(app, config.http.host, config.http.port);
  const logger = new Logger('Main');
  logger.log(`HTTP on :${port} — live page /, Swagger UI /docs, metrics /metrics, health /health`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Server failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
