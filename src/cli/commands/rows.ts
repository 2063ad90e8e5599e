/**
 * `octavo rows import`: rows from an NDJSON file (one `{"properties": {…}}` per line, the
 * POST /v1/pages form) into a data source, in batched transactions; reports rows per second.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { publicUrlOf } from '../../config.ts';
import { normalizeId } from '../../lib/ids.ts';
import { DEFAULT_BATCH, type ImportLine, importRows } from '../../ops/bulk-rows.ts';
import { ApiError } from '../../wire/errors.ts';
import { CliError, printResult, UsageError, type Values } from '../args.ts';
import { withStore } from '../context.ts';
import { errorText } from '../errors.ts';

const MAX_BATCH = 100_000;

/** Non-blank lines of an NDJSON file, parsed; a line that is not JSON stops the import. */
async function* ndjson(file: string): AsyncGenerator<ImportLine> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
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
  try {
    await access(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${errorText(e)}`);
  }
  await withStore(
    values,
    async (store, config) => {
      let imported = 0;
      const report = await importRows(store, ndjson(file), {
        dataSourceId,
        batchSize: batch,
        publicUrl: publicUrlOf(config),
        onBatch: (n) => {
          imported = n;
        },
      }).catch((e: unknown) => {
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
