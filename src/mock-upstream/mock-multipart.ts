/** One part of a multipart/form-data body. */
export interface MockFormPart {
  name: string;
  filename?: string;
  value: string;
}

/**
 * The parts of a multipart/form-data body held as text (the mock's bodies
 * are small); undefined when the content-type names no boundary.
 */
export function parseMockMultipart(text: string, contentType: string | undefined): MockFormPart[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!boundary) return undefined;
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const parts: MockFormPart[] = [];
  for (const section of text.split(delimiter).slice(1)) {
    if (section.startsWith('--')) break;
    const headerEnd = section.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const headers = section.slice(0, headerEnd);
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) continue;
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const value = section.slice(headerEnd + 4).replace(/\r\n$/, '');
    parts.push({ name, value, ...(filename !== undefined ? { filename } : {}) });
  }
  return parts;
}
