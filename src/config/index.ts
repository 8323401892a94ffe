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
export { ConfigValidationError, EnvironmentVariables, validateEnvironment } from './env.schema';
