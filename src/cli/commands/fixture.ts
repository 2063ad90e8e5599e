/**
 * `octavo fixture export --from URL --token T [--out FILE]`: what the token sees on any server
 * speaking Notion's API, through the official SDK, as a fixture (cli/fixture-export.ts). YAML
 * when FILE ends in .yaml/.yml, else JSON; standard output without --out. A progress bar on
 * standard error while it reads.
 */
import { writeFileSync } from 'node:fs';
import { Client, LogLevel } from '@notionhq/client';
import { stringify } from 'yaml';
import { CliError, UsageError, type Values } from '../args.ts';
import { exportFixture } from '../fixture-export.ts';

function bar(done: number, known: number): string {
  const width = 30;
  const filled = Math.min(width, Math.round((done / Math.max(known, 1)) * width));
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${known} objects`;
}

export async function fixtureExportCommand(values: Values): Promise<void> {
  if (!values.from || !values.token) throw new UsageError('fixture export needs --from URL and --token T');
  if (!URL.canParse(values.from))
    throw new UsageError(
      `--from must be the server's address (https://api.notion.com, http://…), not ${values.from}`,
    );
  const notion = new Client({
    auth: values.token,
    baseUrl: values.from.replace(/\/+$/, ''),
    logLevel: LogLevel.ERROR,
  });
  const tty = process.stderr.isTTY;
  let result: Awaited<ReturnType<typeof exportFixture>>;
  try {
    result = await exportFixture(notion, (done, known) => {
      if (tty) process.stderr.write(bar(done, known));
    });
  } catch (e) {
    throw new CliError(`export from ${values.from} failed: ${(e as Error).message}`);
  } finally {
    if (tty) process.stderr.write('\n');
  }
  const yaml = values.out !== undefined && /\.ya?ml$/i.test(values.out);
  const text = yaml ? stringify(result.fixture) : `${JSON.stringify(result.fixture, null, 2)}\n`;
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  const count = (pages: NonNullable<typeof result.fixture.pages>): number =>
    pages.reduce(
      (n, p) =>
        n + 1 + count(p.pages ?? []) + (p.databases ?? []).reduce((m, d) => m + 1 + (d.rows?.length ?? 0), 0),
      0,
    );
  const left = Object.entries(result.skipped).map(([what, n]) => `${n} × ${what}`);
  console.error(
    `Exported ${count(result.fixture.pages ?? [])} pages, databases and rows${values.out ? ` to ${values.out}` : ''}` +
      (left.length > 0 ? `; left out: ${left.join(', ')}` : ''),
  );
}
