export { AppConfig } from './app-config';
export type {
  ApiConfig,
  CassandraConfig,
  IngestConfig,
  RedditConfig,
  HttpConfig,
  KafkaConfig,
  LiveConfig,
  LoggingConfig,
  NlpConfig,
  StreamingConfig,
  TrendsConfig,
  WarehouseConfig,
} from './app-config';
export { ConfigModule } from './config.module';
export { EnvironmentVariables } from './env.schema';
export { ConfigValidationError, validateEnvironment } from './validate-environment';
