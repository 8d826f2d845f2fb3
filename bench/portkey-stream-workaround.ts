// Preloaded (`node --import`) into the Portkey gateway for the streaming runs only.
// Portkey 1.15.2 with @hono/node-server > 1.14.2 answers every streamed chat
// completion with 500 "Something went wrong": it sets its x-portkey-* headers on
// a fetch response's immutable Headers (Portkey-AI/gateway issues #1389, #1550).
// As in the upstream fix (pull request #1551), each fetch response is re-wrapped
// in a Response with its own, mutable copy of the headers; the body stream is
// passed on as is, not copied.
const originalFetch = globalThis.fetch;
const OriginalResponse = globalThis.Response;

globalThis.fetch = async function fetchWithMutableHeaders(...args: Parameters<typeof fetch>): Promise<Response> {
  const response = await originalFetch(...args);
  return new OriginalResponse(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
};
