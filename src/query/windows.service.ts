import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common/app-error';
import { Clock } from '@app/common/clock';
import { AppConfig } from '@app/config';
import { subredditKey } from '@app/events/reddit-event';
import { WindowStore } from '@app/storage/ports';
import { type WindowRecord } from '@app/storage/records';

const DEFAULT_RANGE_MS = 60 * 60_000;
const MAX_RANGE_MS = 31 * 86_400_000;

export interface WindowsResult {
  readonly subreddit: string;
  readonly window: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly windows: WindowRecord[];
}

/** Reads window results for the API. */
@Injectable()
export class WindowsService {
  constructor(
    private readonly store: WindowStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async find(
    name: string,
    window: string | undefined,
    from?: string,
    to?: string,
  ): Promise<WindowsResult> {
    const specs = this.config.streaming.windowSpecs;
    const spec = window ?? specs[0] ?? '1m';
    if (!specs.includes(spec)) {
      throw new AppError(
        'INVALID_INPUT',
        `window must be one of the configured specs: ${specs.join(', ')}`,
        { field: 'window' },
      );
    }
    const toMs = to === undefined ? this.clock.now() : Date.parse(to);
    const fromMs = from === undefined ? toMs - DEFAULT_RANGE_MS : Date.parse(from);
    if (fromMs >= toMs) {
      throw new AppError('INVALID_INPUT', 'from must be before to', { field: 'from' });
    }
    if (toMs - fromMs > MAX_RANGE_MS) {
      throw new AppError('INVALID_INPUT', 'the range from..to must not exceed 31 days', {
        field: 'to',
      });
    }
    const subreddit = subredditKey(name);
    const windows = await this.store.findWindows({ subreddit, window: spec, fromMs, toMs });
    windows.sort((a, b) => a.windowStartMs - b.windowStartMs);
    return { subreddit, window: spec, fromMs, toMs, windows };
  }
}
