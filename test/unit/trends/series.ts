export { poisson, seeded } from '../../support/random-draws';

export const MINUTE = 60_000;
export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const minute = (i: number): number => T0 + i * MINUTE;
