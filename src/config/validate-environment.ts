import { accessSync, constants, statSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { parseWindowSpec } from '@app/common/window-spec';
import { EnvironmentVariables } from './env.schema';

export class ConfigValidationError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(errors: readonly ValidationError[]): string[] {
  return errors.flatMap((error) => {
    if (error.value === undefined) return [`${error.property} is required but missing`];
    const messages = Object.values(error.constraints ?? {});
    const value = error.value === undefined ? 'missing' : `got ${JSON.stringify(error.value)}`;
    // Secrets never appear in messages: only the variable name and the rule.
    const shown =
      error.value !== undefined && /PASSWORD|SECRET|TOKEN|_KEY$|URL/.test(error.property)
        ? 'value hidden'
        : value;
    return messages.map((message) =>
      message.startsWith(error.property)
        ? `${message} (${shown})`
        : `${error.property}: ${message} (${shown})`,
    );
  });
}

/** Validates raw environment variables; throws ConfigValidationError naming every bad variable. */
export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  const problems = describe(errors);
  const specsValid = !errors.some((e) => e.property === 'WINDOW_SPECS');
  const specProblems = specsValid ? windowSpecProblems(env) : [];
  problems.push(...specProblems);
  const intervals = ['STREAMING_CHECKPOINT_INTERVAL_MS', 'WINDOW_FLUSH_INTERVAL_MS'];
  if (
    !errors.some((e) => intervals.includes(e.property)) &&
    env.STREAMING_CHECKPOINT_INTERVAL_MS < env.WINDOW_FLUSH_INTERVAL_MS
  ) {
    problems.push(
      `STREAMING_CHECKPOINT_INTERVAL_MS must be at least WINDOW_FLUSH_INTERVAL_MS ` +
        `(${env.WINDOW_FLUSH_INTERVAL_MS}) (got ${env.STREAMING_CHECKPOINT_INTERVAL_MS})`,
    );
  }
  if (
    env.TRENDS_ENABLED &&
    specsValid &&
    specProblems.length === 0 &&
    !specNames(env.WINDOW_SPECS).includes('1m')
  ) {
    problems.push(
      `TRENDS_ENABLED: trends judge the 1-minute windows, so WINDOW_SPECS must list 1m, or set TRENDS_ENABLED=false (got WINDOW_SPECS "${env.WINDOW_SPECS}")`,
    );
  }
  if (env.NLP_SENTIMENT_MODEL_FILE !== undefined && !isReadableFile(env.NLP_SENTIMENT_MODEL_FILE)) {
    problems.push(
      `NLP_SENTIMENT_MODEL_FILE: no readable file at ${JSON.stringify(env.NLP_SENTIMENT_MODEL_FILE)}`,
    );
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return env;
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function specNames(list: string): string[] {
  return list.split(',').flatMap((text) => {
    try {
      return [parseWindowSpec(text).name];
    } catch {
      return [];
    }
  });
}

/** What the pattern cannot check: size a multiple of the slide, no spec twice. */
function windowSpecProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const text of env.WINDOW_SPECS.split(',')) {
    try {
      const { name } = parseWindowSpec(text);
      if (names.has(name)) problems.push(`WINDOW_SPECS: ${name} is listed twice`);
      names.add(name);
    } catch (error) {
      problems.push(
        `WINDOW_SPECS: ${error instanceof Error ? error.message : String(error)} (got "${text}")`,
      );
    }
  }
  return problems;
}
