export * from './window-spec';
export * from './watermarks';
export * from './aggregate';
export * from './window-engine';
