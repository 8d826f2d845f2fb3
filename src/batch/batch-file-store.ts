import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { readJsonLines } from '../core/json-lines.js';
import type { BatchFilesTable } from '../store/batch-schema.js';
import type { DatabaseSchema } from '../store/database-schema.js';
import { SwitchyardError } from '../spec/errors.js';

/** Lines per stored piece of an upload: one piece is one worker job. */
export const CHUNK_LINES = 100;
/** Bytes per stored piece (a longer single line makes a piece of its own). */
export const CHUNK_BYTES = 1024 * 1024;
/** Result rows read per query when streaming an output file. */
const RESULT_PAGE = 64;

/** A file row. */
export type BatchFile = BatchFilesTable;

/** An id in OpenAI's style: `prefix-` and 24 hex digits. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

/**
 * The gateway's files in SQL. An upload is split into pieces of whole lines
 * (at most {@link CHUNK_LINES} lines or about {@link CHUNK_BYTES}) as it
 * streams in, so neither the upload nor a download is ever whole in memory;
 * a batch's output and error files are read from its result rows.
 */
export interface BatchFileStore {
  /** Stores an upload from a byte stream; `maxBytes` bounds it (`payload_too_large`). */
  upload(tenant: string, filename: string, purpose: string, content: AsyncIterable<Buffer | string>, maxBytes: number): Promise<BatchFile>;
  /** Sets an upload's purpose (multipart fields may follow the file). */
  setPurpose(id: string, purpose: string): Promise<void>;
  /** Deletes an upload and its content. */
  remove(id: string): Promise<void>;
  /** The tenant's file, or a `not_found` error (another tenant's file is not found either). */
  get(tenant: string, id: string): Promise<BatchFile>;
  /** Records a batch's output or error file; undefined when it would be empty. */
  createResultFile(tenant: string, batchId: string, kind: 'output' | 'error'): Promise<BatchFile | undefined>;
  /** The file's content, streamed piece by piece. */
  content(file: BatchFile): AsyncGenerator<string>;
  /** The pieces' sequence numbers and line counts of an upload. */
  pieces(fileId: string): Promise<Array<{ seq: number; lines: number; firstLine: number }>>;
  /** One piece of an upload. */
  piece(fileId: string, seq: number): Promise<{ data: string; firstLine: number } | undefined>;
}

/** Creates the store over the migrated database. */
export function createBatchFileStore(db: Kysely<DatabaseSchema>): BatchFileStore {
  return {
    async upload(tenant, filename, purpose, content, maxBytes) {
      const id = newId('file');
      let seq = 0;
      let lines: string[] = [];
      let bytes = 0;
      let pieceBytes = 0;
      let lineNumber = 0;
      let firstLine = 1;
      const flush = async () => {
        if (lines.length === 0) return;
        await db.insertInto('batch_file_chunks').values({ file_id: id, seq, lines: lines.length, first_line: firstLine, data: `${lines.join('\n')}\n` }).execute();
        seq += 1;
        firstLine = lineNumber + 1;
        lines = [];
        pieceBytes = 0;
      };
      try {
        for await (const line of readJsonLines(counted(content, maxBytes, (size) => (bytes = size)))) {
          const size = Buffer.byteLength(line) + 1;
          if (lines.length >= CHUNK_LINES || (lines.length > 0 && pieceBytes + size > CHUNK_BYTES)) await flush();
          lineNumber += 1;
          lines.push(line);
          pieceBytes += size;
        }
        await flush();
      } catch (error) {
        await db.deleteFrom('batch_file_chunks').where('file_id', '=', id).execute();
        throw error;
      }
      const file: BatchFile = { id, tenant, kind: 'upload', purpose, filename, bytes, batch_id: null, created_at: Date.now() };
      await db.insertInto('batch_files').values(file).execute();
      return file;
    },
    async setPurpose(id, purpose) {
      await db.updateTable('batch_files').set({ purpose }).where('id', '=', id).execute();
    },
    async remove(id) {
      await db.deleteFrom('batch_file_chunks').where('file_id', '=', id).execute();
      await db.deleteFrom('batch_files').where('id', '=', id).execute();
    },
    async get(tenant, id) {
      const file = await db.selectFrom('batch_files').selectAll().where('id', '=', id).where('tenant', '=', tenant).executeTakeFirst();
      if (!file) throw new SwitchyardError({ code: 'not_found', status: 404, param: 'file_id', message: `No such File object: ${id}` });
      return file;
    },
    async createResultFile(tenant, batchId, kind) {
      const isError = kind === 'error' ? 1 : 0;
      const size = await db
        .selectFrom('gateway_batch_results')
        .select((expression) => [expression.fn.sum<number>('bytes').as('bytes'), expression.fn.countAll<number>().as('count')])
        .where('batch_id', '=', batchId)
        .where('is_error', '=', isError)
        .executeTakeFirst();
      if (Number(size?.count ?? 0) === 0) return undefined;
      const file: BatchFile = { id: newId('file'), tenant, kind, purpose: 'batch_output', filename: `${batchId}_${kind}.jsonl`, bytes: Number(size?.bytes ?? 0), batch_id: batchId, created_at: Date.now() };
      await db.insertInto('batch_files').values(file).execute();
      return file;
    },
    async *content(file) {
      if (file.kind !== 'upload') {
        yield* resultLines(db, file.batch_id!, file.kind === 'error' ? 1 : 0);
        return;
      }
      for (let seq = 0; ; seq += 1) {
        const row = await db.selectFrom('batch_file_chunks').select('data').where('file_id', '=', file.id).where('seq', '=', seq).executeTakeFirst();
        if (!row) return;
        yield row.data;
      }
    },
    async pieces(fileId) {
      const rows = await db.selectFrom('batch_file_chunks').select(['seq', 'lines', 'first_line']).where('file_id', '=', fileId).orderBy('seq').execute();
      return rows.map((row) => ({ seq: row.seq, lines: row.lines, firstLine: row.first_line }));
    },
    async piece(fileId, seq) {
      const row = await db.selectFrom('batch_file_chunks').select(['data', 'first_line']).where('file_id', '=', fileId).where('seq', '=', seq).executeTakeFirst();
      return row ? { data: row.data, firstLine: row.first_line } : undefined;
    },
  };
}

/** The non-blank lines of an upload piece with their 1-based numbers in the file. */
export function linesOfPiece(piece: { data: string; firstLine: number }): Array<{ lineNumber: number; text: string }> {
  return piece.data
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text, index) => ({ lineNumber: piece.firstLine + index, text }));
}

/** A batch's result lines of one kind in input order (by line, then custom_id), read a page at a time. */
async function* resultLines(db: Kysely<DatabaseSchema>, batchId: string, isError: number): AsyncGenerator<string> {
  let after: { line: number; customId: string } | undefined;
  for (;;) {
    let query = db.selectFrom('gateway_batch_results').select(['line_number', 'custom_id', 'record']).where('batch_id', '=', batchId).where('is_error', '=', isError);
    if (after !== undefined) {
      const { line, customId } = after;
      query = query.where((builder) => builder.or([builder('line_number', '>', line), builder.and([builder('line_number', '=', line), builder('custom_id', '>', customId)])]));
    }
    const rows = await query.orderBy('line_number').orderBy('custom_id').limit(RESULT_PAGE).execute();
    for (const row of rows) yield `${row.record}\n`;
    if (rows.length < RESULT_PAGE) return;
    const last = rows.at(-1)!;
    after = { line: last.line_number, customId: last.custom_id };
  }
}

/** Passes a stream through, counting its bytes, and fails with `payload_too_large` past `maxBytes`. */
async function* counted(content: AsyncIterable<Buffer | string>, maxBytes: number, report: (bytes: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const piece of content) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    bytes += chunk.length;
    if (bytes > maxBytes) throw new SwitchyardError({ code: 'payload_too_large', status: 413, param: 'file', message: `the file is larger than ${maxBytes} bytes` });
    report(bytes);
    yield chunk;
  }
}
