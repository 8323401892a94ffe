export { AppConfig } from './app-config';
export type {
  ApiConfig,
  CassandraConfig,
  IngestConfig,
  RedditConfig,
  HttpConfig,
  KafkaConfig,
  LoggingConfig,
  NlpConfig,
  StreamingConfig,
  WarehouseConfig,
} from './app-config';
export { ConfigModule } from './config.module';
export { EnvironmentVariables } from './env.schema';
export { ConfigValidationError, validateEnvironment } from './validate-environment';
