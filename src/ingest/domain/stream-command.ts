import { AppError } from '@app/common/app-error';
import { type EventKind, subredditKey } from '@app/events/reddit-event';
import { type ReplaySpeed, type StreamDefinition } from './stream-definition';

export interface StartStreamCommand {
  readonly id?: string;
  readonly source: 'synthetic' | 'reddit' | 'replay';
  readonly subreddits?: readonly string[];
  readonly kinds?: readonly ('submissions' | 'comments')[];
  readonly ratePerSecond?: number;
  readonly maxEvents?: number;
  readonly synthetic?: {
    readonly seed?: number;
    readonly startTime?: string;
    readonly eventIntervalMs?: number;
  };
  readonly replay?: {
    readonly file: string;
    readonly speed?: string;
    readonly from?: string;
    readonly to?: string;
    readonly startLine?: number;
  };
}

const DEFAULT_RATE_PER_SECOND = 10;

function invalid(field: string, message: string): AppError {
  return new AppError('INVALID_INPUT', message, { field });
}

function parseSpeed(speed: string | undefined): ReplaySpeed {
  if (speed === undefined || speed === 'max') return 'max';
  if (speed === 'realtime') return 'realtime';
  const factor = Number(speed.slice(0, -1));
  if (!Number.isFinite(factor) || factor <= 0) {
    throw invalid('replay.speed', 'replay.speed factor must be greater than 0');
  }
  return factor;
}

/** Checks a start command field by field and turns it into a stream definition. */
export function definitionFrom(command: StartStreamCommand): Omit<StreamDefinition, 'id'> {
  const kinds: EventKind[] = (command.kinds ?? ['submissions', 'comments']).map((kind) =>
    kind === 'submissions' ? 'submission' : 'comment',
  );
  if (kinds.length === 0) throw invalid('kinds', 'kinds must name at least one kind');
  const subreddits = (command.subreddits ?? []).map(subredditKey);
  if (command.source !== 'replay' && subreddits.length === 0) {
    throw invalid(
      'subreddits',
      `subreddits must name at least one subreddit for a ${command.source} stream`,
    );
  }
  if (command.source !== 'synthetic' && command.ratePerSecond !== undefined) {
    throw invalid('ratePerSecond', 'ratePerSecond applies to synthetic streams only');
  }
  if (command.source !== 'synthetic' && command.synthetic !== undefined) {
    throw invalid('synthetic', 'synthetic options apply to synthetic streams only');
  }
  if (command.source !== 'replay' && command.replay !== undefined) {
    throw invalid('replay', 'replay options apply to replay streams only');
  }
  const base = {
    source: command.source,
    subreddits,
    kinds,
    maxEvents: command.maxEvents ?? null,
  };
  switch (command.source) {
    case 'synthetic': {
      const options = command.synthetic ?? {};
      return {
        ...base,
        ratePerSecond: command.ratePerSecond ?? DEFAULT_RATE_PER_SECOND,
        synthetic: {
          seed: options.seed ?? 1,
          startTimeMs: options.startTime === undefined ? null : Date.parse(options.startTime),
          eventIntervalMs: options.eventIntervalMs ?? null,
        },
      };
    }
    case 'reddit':
      return { ...base, ratePerSecond: null };
    case 'replay': {
      const replay = command.replay;
      if (!replay)
        throw invalid(
          'replay',
          'replay options (at least replay.file) are required for a replay stream',
        );
      const fromUtc = replay.from === undefined ? null : Math.floor(Date.parse(replay.from) / 1000);
      const toUtc = replay.to === undefined ? null : Math.floor(Date.parse(replay.to) / 1000);
      if (fromUtc !== null && toUtc !== null && fromUtc >= toUtc) {
        throw invalid('replay.from', 'replay.from must be before replay.to');
      }
      return {
        ...base,
        ratePerSecond: null,
        replay: {
          file: replay.file,
          speed: parseSpeed(replay.speed),
          fromUtc,
          toUtc,
          startLine: replay.startLine ?? null,
        },
      };
    }
  }
}

/** Fixes the defaults that depend on the start moment, so a restart replays the same stream. */
export function resolveDefinition(definition: StreamDefinition, nowMs: number): StreamDefinition {
  if (!definition.synthetic) return definition;
  const rate = definition.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
  return {
    ...definition,
    synthetic: {
      ...definition.synthetic,
      startTimeMs: definition.synthetic.startTimeMs ?? nowMs,
      eventIntervalMs: definition.synthetic.eventIntervalMs ?? 1000 / rate,
    },
  };
}
