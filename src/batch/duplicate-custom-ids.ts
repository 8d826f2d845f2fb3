import { linesOfPiece, type BatchFileStore } from './batch-file-store.js';
import { customIdOf } from './batch-line.js';

/** A custom_id used twice in a batch input file: where it is first, and the line that repeats it. */
export interface DuplicateCustomId {
  customId: string;
  line: number;
  firstLine: number;
}

/**
 * The first line of an uploaded file whose custom_id an earlier line already
 * has; undefined when every custom_id is unique. Reads the file piece by
 * piece (the pieces' text is never all in memory, only the ids and their line
 * numbers). A line that is not JSON, or has no custom_id, is passed over: it
 * becomes an input error of its own when the batch runs.
 */
export async function findDuplicateCustomId(files: BatchFileStore, fileId: string): Promise<DuplicateCustomId | undefined> {
  const seen = new Map<string, number>();
  for (const { seq } of await files.pieces(fileId)) {
    const piece = await files.piece(fileId, seq);
    if (piece === undefined) continue;
    for (const { lineNumber, text } of linesOfPiece(piece)) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const customId = customIdOf(value);
      if (customId === null) continue;
      const firstLine = seen.get(customId);
      if (firstLine !== undefined) return { customId, line: lineNumber, firstLine };
      seen.set(customId, lineNumber);
    }
  }
  return undefined;
}
