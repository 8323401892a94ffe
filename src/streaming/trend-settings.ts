import { type TrendsConfig } from '@app/config';
import {
  DEFAULT_SHIFT_OPTIONS,
  DEFAULT_TREND_OPTIONS,
  type PartitionTrendsOptions,
} from '@app/trends/domain';

/** The detectors' settings: the defaults the trends benchmark measured, with what is configurable. */
export function trendOptionsOf(config: TrendsConfig): PartitionTrendsOptions {
  return {
    terms: {
      ...DEFAULT_TREND_OPTIONS,
      capacity: config.termCapacity,
      minSupport: config.minSupport,
      newTermSupport: Math.max(config.minSupport, DEFAULT_TREND_OPTIONS.newTermSupport),
    },
    shifts: DEFAULT_SHIFT_OPTIONS,
    minuteTerms: config.minuteTerms,
  };
}
