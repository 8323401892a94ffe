import {
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { producerStateLost } from '@app/kafka/kafka-connection';

/** A broker error as kafkajs builds it from a response's error code. */
function protocolError(type: string, code: number): Error {
  return new KafkaJSProtocolError({
    type,
    code,
    retriable: false,
    message: `broker error ${type}`,
  } as unknown as Error);
}

describe('producerStateLost', () => {
  it('spots a lost sequence however kafkajs wraps it, and nothing else', () => {
    const outOfOrder = protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45);
    expect(producerStateLost(outOfOrder)).toBe(true);
    // Non-retriable errors come wrapped once (kafkajs' retry sets the cause; its types omit it).
    const wrapped = Object.assign(new KafkaJSNonRetriableError(outOfOrder), { cause: outOfOrder });
    expect(producerStateLost(wrapped)).toBe(true);
    const unknownProducer = protocolError('UNKNOWN_PRODUCER_ID', 59);
    expect(
      producerStateLost(
        new KafkaJSNumberOfRetriesExceeded(unknownProducer, {
          retryCount: 10,
          retryTime: 10_000,
        }),
      ),
    ).toBe(true);

    expect(producerStateLost(protocolError('NOT_ENOUGH_REPLICAS', 19))).toBe(false);
    expect(producerStateLost(new Error('connect ECONNREFUSED 127.0.0.1:9092'))).toBe(false);
    expect(producerStateLost('OUT_OF_ORDER_SEQUENCE_NUMBER')).toBe(false);
  });
});
