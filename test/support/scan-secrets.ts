/**
 * Looks for secrets in the logs of a test run: every file under DIR (the
 * servers' whole output and the test runner's), each secret in the forms it
 * could leak in (as is, URL-encoded, base64 of "id:secret" pairs aside, JSON
 * escaped). The secrets come from the environment variables named on the
 * command line; an unset one is skipped. Exits 1, naming file, secret
 * variable and line number (never the secret), when any is found.
 *
 *   npx ts-node --transpile-only test/support/scan-secrets.ts DIR TEST_API_KEY TEST_DB_PASSWORD ...
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The spellings a secret can take in a log line. */
export function forms(secret: string): string[] {
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    ]),
  ];
}

function main(): void {
  const [dir, ...names] = process.argv.slice(2);
  if (!dir || names.length === 0) {
    console.error('usage: scan-secrets.ts DIR VARIABLE...');
    process.exit(2);
  }
  const secrets = names.flatMap((name) => {
    const value = process.env[name];
    if (!value) return [];
    if (value.length < 8) throw new Error(`${name} is too short to scan for without false hits`);
    return [{ name, forms: forms(value) }];
  });
  const files = filesUnder(dir);
  let bytes = 0;
  const hits: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    bytes += statSync(file).size;
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      for (const secret of secrets) {
        if (secret.forms.some((form) => line.includes(form)))
          hits.push(`${file}:${i + 1}: ${secret.name}`);
      }
    });
  }
  console.log(
    `secrets scan: ${secrets.map((s) => s.name).join(', ')} in ${files.length} log file(s), ` +
      `${(bytes / 1024).toFixed(0)} KiB: ${hits.length} hit(s)`,
  );
  for (const hit of hits.slice(0, 50)) console.log(`  ${hit}`);
  if (hits.length > 0) process.exit(1);
}

if (require.main === module) main();
