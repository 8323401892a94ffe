// The replay source's public surface, for the streams service.
export { DumpDecompressor, ZstdCliDecompressor, isZstdFile } from './dump-decompressor';
export { type DumpInfo, inspectDump, resolveDumpPath } from './dump-files';
export { DEFAULT_MAX_LINE_BYTES, type DumpLine, DumpReader } from './dump-reader';
export { type ReplaySpeed, type Sleep, abortableSleep } from './replay-pacer';
export {
  type ReplayCheckpoint,
  type ReplaySourceOptions,
  ReplaySource,
  createReplaySource,
  startLineAfter,
} from './replay.source';
