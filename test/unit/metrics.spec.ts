import { DEAD_LETTER_REASONS, MetricsService } from '@app/metrics/metrics.service';

describe('MetricsService', () => {
  it('exports every dead-letter reason at 0 before any message is dead-lettered', async () => {
    const { body } = await new MetricsService().render();
    for (const reason of DEAD_LETTER_REASONS) {
      expect(body).toContain(`reddit_events_dead_lettered_total{reason="${reason}"} 0`);
    }
  });

  it('counts consumer batches in buckets fine enough for small batches', async () => {
    const metrics = new MetricsService();
    metrics.consumerBatchSize.observe(2);
    const { body } = await metrics.render();
    expect(body).toContain('reddit_consumer_batch_size_bucket{le="1"} 0');
    expect(body).toContain('reddit_consumer_batch_size_bucket{le="2"} 1');
  });
});
