/**
 * `octavo rows import`: rows from an NDJSON file (one `{"properties": {…}}` per line, the
 * POST /v1/pages form) into a data source, in batched transactions; reports rows per second.
 */
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { publicUrlOf } from '../../config.ts';
import { normalizeId } from '../../lib/ids.ts';
import { DEFAULT_BATCH, type ImportLine, importRows } from '../../ops/bulk-rows.ts';
import { ApiError } from '../../wire/errors.ts';
import { CliError, printResult, UsageError, type Values } from '../args.ts';
import { withStore } from '../context.ts';
import { errorText } from '../errors.ts';

const MAX_BATCH = 100_000;

/**
 * Non-blank lines of an NDJSON file, parsed; a line that is not JSON stops the import. `read`
 * counts the bytes consumed (for the progress estimate).
 */
async function* ndjson(file: string, read: { bytes: number }): AsyncGenerator<ImportLine> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    read.bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    try {
      yield { line, body: JSON.parse(text) };
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      throw new CliError(`line ${line}: not valid JSON (${e.message})`);
    }
  }
}

function batchSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_BATCH;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH)
    throw new UsageError(`--batch must be a whole number from 1 to ${MAX_BATCH}, not ${raw}`);
  return n;
}

function options(values: Values) {
  if (!values['data-source']) throw new UsageError('--data-source is required');
  if (!values.file) throw new UsageError('--file is required');
  const dataSourceId = normalizeId(values['data-source']);
  if (!dataSourceId)
    throw new UsageError(
      `--data-source must be a data source id (32 hex digits), not ${values['data-source']}`,
    );
  return { dataSourceId, file: values.file, batch: batchSize(values.batch) };
}

export async function rowsImportCommand(values: Values): Promise<void> {
  const { dataSourceId, file, batch } = options(values);
  let size: number;
  try {
    await access(file);
    size = (await stat(file)).size;
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${errorText(e)}`);
  }
  // Progress only for a person watching: a terminal, and not --json.
  const progress = process.stderr.isTTY && !values.json ? progressLine(size) : undefined;
  await withStore(
    values,
    async (store, config) => {
      let imported = 0;
      const read = { bytes: 0 };
      const report = await importRows(store, ndjson(file, read), {
        dataSourceId,
        batchSize: batch,
        publicUrl: publicUrlOf(config),
        onBatch: (n) => {
          imported = n;
          progress?.update(n, read.bytes);
        },
      })
        .finally(() => progress?.clear())
        .catch((e: unknown) => {
          if (!(e instanceof ApiError || e instanceof CliError) || !e.message.startsWith('line ')) throw e;
          throw new CliError(
            `${file} ${e.message} Nothing from that line's batch was written; ${imported} rows from earlier batches were imported.`,
          );
        });
      const seconds = report.ms / 1000;
      const rate = Math.round(report.rowsPerSecond);
      printResult(
        values,
        {
          data_source_id: dataSourceId,
          rows: report.rows,
          batches: report.batches,
          seconds: Number(seconds.toFixed(3)),
          rows_per_second: rate,
        },
        `Imported ${report.rows} rows into data source ${dataSourceId} in ${seconds.toFixed(1)} s ` +
          `(${rate} rows/s, ${report.batches} batch${report.batches === 1 ? '' : 'es'} of up to ${batch})`,
      );
    },
    { bulk: true },
  );
}

/** Redraws at most this often: a fast import would otherwise spend its time writing to the terminal. */
const PROGRESS_EVERY_MS = 250;

/**
 * One line on standard error, redrawn in place: rows so far, rows per second, and the time left
 * estimated from the bytes of the file read so far (rows are of similar size in one file).
 */
function progressLine(totalBytes: number) {
  const started = performance.now();
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(rows: number, bytes: number) {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? rows / seconds : 0;
      const done = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 1;
      const left = done > 0 ? (seconds * (1 - done)) / done : Number.NaN;
      const text =
        `${rows.toLocaleString('en-US')} rows, ${Math.round(rate).toLocaleString('en-US')} rows/s, ` +
        `${Math.round(done * 100)}%, ${Number.isFinite(left) ? formatSeconds(left) : '?'} left`;
      process.stderr.write(`\r\x1b[K${text}`);
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
