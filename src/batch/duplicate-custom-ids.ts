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
      const customId = leadingCustomId(text) ?? parsedCustomId(text);
      if (customId === null) continue;
      const firstLine = seen.get(customId);
      if (firstLine !== undefined) return { customId, line: lineNumber, firstLine };
      seen.set(customId, lineNumber);
    }
  }
  return undefined;
}

/** A line opening with its custom_id (no escapes in it), as writers of batch files put it: `{"custom_id": "...",`. */
const LEADING = /^\{\s*"custom_id"\s*:\s*"([^"\\]+)"\s*,/;

/**
 * The custom_id of a line that opens with it, read without parsing the whole
 * line (its body may be megabytes); undefined when the line is shaped
 * otherwise or the key appears again further on (JSON.parse keeps the last
 * of repeated keys): the caller then parses the line.
 */
function leadingCustomId(text: string): string | undefined {
  const match = LEADING.exec(text);
  if (match === null || text.includes('"custom_id"', match[0].length)) return undefined;
  return match[1];
}

/** The custom_id of a line parsed whole: null for a line that is not JSON or has none. */
function parsedCustomId(text: string): string | null {
  try {
    return customIdOf(JSON.parse(text));
  } catch {
    return null;
  }
}
