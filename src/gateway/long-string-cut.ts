import type { IncomingMessage } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/*
 * A request body that holds a string longer than `maxStringLength` is
 * refused (400, naming the field) whatever else it holds. Read whole, a 5 MB
 * string costs the body's chunks, their concatenation and the decoded text
 * (about 15 MB per request, garbage the heap then has to grow for); so a
 * body that could hold one (declared longer than the limit) is
 * watched as it arrives, and cut once a string passes the limit. The body
 * parser then gets the text read so far, and the scan over it
 * (`scanJsonText`) finds the string unterminated, over the limit, and names
 * its field as it would have in the whole body. The rest of the body is left
 * on the socket for Node to read and discard after the answer.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LETTER_U = 0x75;

/**
 * Counts, byte by byte, the UTF-16 length of the JSON string being read (an
 * escape counts one unit, a 4-byte UTF-8 sequence two): never more than the
 * decoded string's length, so a cut is never wrong.
 */
class LongStringCut extends Transform {
  /** Raw bytes taken from the socket: Fastify checks it against `content-length` (a cut reports the declared length). */
  receivedEncodedLength = 0;
  private inString = false;
  private afterBackslash = false;
  private hexLeft = 0;
  private units = 0;
  /** True once the body was cut short. */
  cut = false;

  constructor(
    private readonly source: IncomingMessage,
    private readonly maxStringLength: number,
    private readonly declaredLength: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.cut) return done(); // chunks already on their way when the body was cut
    this.receivedEncodedLength += chunk.length;
    if (this.overLimitIn(chunk)) {
      this.cut = true;
      this.source.unpipe(this);
      this.receivedEncodedLength = this.declaredLength;
      this.push(chunk);
      this.push(null);
      return done();
    }
    done(null, chunk);
  }

  /** True once a string in the body has passed the limit (by the end of this chunk). */
  private overLimitIn(chunk: Buffer): boolean {
    const limit = this.maxStringLength;
    let { inString, afterBackslash, hexLeft, units } = this;
    for (let at = 0; at < chunk.length; at++) {
      const byte = chunk[at];
      if (!inString) {
        if (byte === QUOTE) {
          inString = true;
          units = 0;
        }
      } else if (hexLeft > 0) hexLeft--;
      else if (afterBackslash) {
        afterBackslash = false;
        if (byte === LETTER_U) hexLeft = 4;
      } else if (byte === QUOTE) inString = false;
      else {
        if (byte === BACKSLASH) {
          afterBackslash = true;
          units++;
        } else if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
        if (units > limit) return true;
      }
    }
    Object.assign(this, { inString, afterBackslash, hexLeft, units });
    return false;
  }
}

/**
 * Fastify's `preParsing` step for the limit on string length: a JSON body
 * that may hold an over-long string (declared longer than the limit) is
 * watched. Any other goes on untouched: one that cannot, one declared over
 * `bodyLimit` (Fastify refuses it before reading), a chunked one (its length
 * unknown, it meets `bodyLimit` first, as before), and every other content
 * type (a multipart upload is not JSON).
 */
export function watchLongStrings<Payload extends Readable>(source: IncomingMessage, payload: Payload, limits: { maxStringLength: number; bodyLimit: number }): Payload | Readable {
  // The length first: an ordinary request is let through on one number. A chunked body is read as before (it meets bodyLimit, 413, first).
  const declared = Number(source.headers['content-length']);
  if (!(declared > limits.maxStringLength && declared <= limits.bodyLimit)) return payload;
  if (!source.headers['content-type']?.toLowerCase().startsWith('application/json')) return payload;
  const watch = new LongStringCut(source, limits.maxStringLength, declared);
  // The body parser listens while it reads; an error after it stopped (a refused body, a client gone) must not go unheard.
  watch.on('error', () => undefined);
  const reading = (): boolean => !watch.cut && !watch.destroyed && !watch.readableEnded;
  source.once('error', (error) => {
    if (reading()) watch.destroy(error);
  });
  source.once('close', () => {
    if (!source.complete && reading()) watch.destroy(new Error('the request was aborted before its body arrived'));
  });
  source.pipe(watch);
  return watch;
}
