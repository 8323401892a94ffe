import { Logger } from '@nestjs/common';
import { logLevel, type logCreator } from 'kafkajs';

/** Routes kafkajs logs through Nest's logger so they share format and level. */
export const nestKafkaLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, ...extra } = log;
    // We bound the producer's retries on purpose (see KafkaConnection).
    if (String(message).startsWith('Limiting retries for the idempotent producer')) return;
    const text = `${String(message)} ${JSON.stringify(extra)}`;
    switch (level) {
      case logLevel.ERROR:
        logger.error(text);
        break;
      case logLevel.WARN:
        logger.warn(text);
        break;
      case logLevel.INFO:
        logger.log(text);
        break;
      case logLevel.DEBUG:
        logger.debug(text);
        break;
      case logLevel.NOTHING:
        break;
    }
  };
};
