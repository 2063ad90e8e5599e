/**
 * The file-uploads repository: upload rows and their bytes (one row per part). Written once for
 * both engines; the only branch is the row lock, as in the blocks repository.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ChangeLog } from './events-repo.ts';
import type { Database } from './schema.ts';
import type { Engine, FileUploadRepo, FileUploadRow } from './store.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Postgres answers `bigint` columns as strings (node-pg); SQLite as numbers. */
function toRow(row: FileUploadRow): FileUploadRow {
  return {
    ...row,
    content_length: row.content_length === null ? null : Number(row.content_length),
    number_of_parts: row.number_of_parts === null ? null : Number(row.number_of_parts),
  };
}

export function fileUploads(db: Db, engine: Engine, log: ChangeLog): FileUploadRepo {
  return {
    get: async (id) => {
      const row = await db.selectFrom('file_uploads').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRow(row) : undefined;
    },
    insert: async (row) => {
      await db.insertInto('file_uploads').values(row).execute();
      log.insertedUpload(row);
    },
    update: async (id, patch) => {
      await log.updatingUpload(db, id, patch);
      await db.updateTable('file_uploads').set(patch).where('id', '=', id).execute();
    },
    lock: async (id) => {
      // SQLite runs one writer at a time already; Postgres needs a row lock.
      if (engine === 'postgres')
        await sql`select id from file_uploads where id = ${id} for update`.execute(db);
    },
    list: async (filter, from, limit) => {
      let q = db
        .selectFrom('file_uploads')
        .selectAll()
        .where((eb) =>
          filter.person !== undefined
            ? eb.and([eb('integration_id', 'is', null), eb('created_by', '=', filter.person)])
            : eb('integration_id', '=', filter.integrationId),
        )
        .orderBy('created_time', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      const { status, now } = filter;
      // Expiry is decided when read: a pending or uploaded upload past its expiry_time is expired.
      if (status === 'failed') q = q.where('status', '=', 'failed');
      else if (status === 'expired') {
        q = q
          .where('status', '<>', 'failed')
          .where('expiry_time', 'is not', null)
          .where('expiry_time', '<=', now);
      } else if (status) {
        q = q
          .where('status', '=', status)
          .where((eb) => eb.or([eb('expiry_time', 'is', null), eb('expiry_time', '>', now)]));
      }
      if (from) {
        const anchor = await db
          .selectFrom('file_uploads')
          .select(['created_time', 'id'])
          .where('id', '=', from)
          .where((eb) =>
            filter.person !== undefined
              ? eb.and([eb('integration_id', 'is', null), eb('created_by', '=', filter.person)])
              : eb('integration_id', '=', filter.integrationId),
          )
          .executeTakeFirst();
        if (!anchor) return { items: [], next: null };
        q = q.where((eb) =>
          eb.or([
            eb('created_time', '<', anchor.created_time),
            eb.and([eb('created_time', '=', anchor.created_time), eb('id', '<=', anchor.id)]),
          ]),
        );
      }
      const rows = (await q.execute()).map(toRow);
      return { items: rows.slice(0, limit), next: rows.length > limit ? rows[limit]!.id : null };
    },
    putPart: async (uploadId, partNumber, bytes) => {
      const row = { upload_id: uploadId, part_number: partNumber, size: bytes.byteLength, bytes };
      await db
        .insertInto('file_upload_parts')
        .values(row)
        // The new values by reference (`excluded`), not bound a second time: a part is up to 20 MB.
        .onConflict((oc) =>
          oc.columns(['upload_id', 'part_number']).doUpdateSet((eb) => ({
            size: eb.ref('excluded.size'),
            bytes: eb.ref('excluded.bytes'),
          })),
        )
        .execute();
    },
    parts: async (uploadId) => {
      const rows = await db
        .selectFrom('file_upload_parts')
        .select(['part_number', 'size'])
        .where('upload_id', '=', uploadId)
        .orderBy('part_number')
        .execute();
      return rows.map((r) => ({ part_number: Number(r.part_number), size: Number(r.size) }));
    },
    readPart: async (uploadId, partNumber) => {
      const row = await db
        .selectFrom('file_upload_parts')
        .select('bytes')
        .where('upload_id', '=', uploadId)
        .where('part_number', '=', partNumber)
        .executeTakeFirst();
      return row?.bytes;
    },
    deleteExpiredParts: async (now) => {
      const expired = db
        .selectFrom('file_uploads')
        .select('id')
        .where('expiry_time', 'is not', null)
        .where('expiry_time', '<=', now);
      const res = await db
        .deleteFrom('file_upload_parts')
        .where('upload_id', 'in', expired)
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
