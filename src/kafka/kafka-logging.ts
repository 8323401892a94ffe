import { Logger } from '@nestjs/common';
import { logLevel, type logCreator } from 'kafkajs';

/**
 * Broker answers kafkajs logs as errors although it retries them itself and
 * they are normal while a broker or group coordinator starts up.
 */
const TRANSIENT_BROKER_ANSWER =
  /coordinator is loading|coordinator is not available|not the correct coordinator|leader not available|not leader or follower/i;

/** Routes kafkajs logs through Nest's logger so they share format and level. */
export const nestKafkaLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, ...extra } = log;
    const text = String(message);
    // We bound the producer's retries on purpose (see KafkaConnection).
    if (text.startsWith('Limiting retries for the idempotent producer')) return;
    const detail = `${text} ${JSON.stringify(extra)}`;
    const transient =
      text.startsWith('Response ') && TRANSIENT_BROKER_ANSWER.test(String(extra.error ?? ''));
    switch (transient ? logLevel.DEBUG : level) {
      case logLevel.ERROR:
        logger.error(detail);
        break;
      case logLevel.WARN:
        logger.warn(detail);
        break;
      case logLevel.INFO:
        logger.log(detail);
        break;
      case logLevel.DEBUG:
        logger.debug(detail);
        break;
      case logLevel.NOTHING:
        break;
    }
  };
};
