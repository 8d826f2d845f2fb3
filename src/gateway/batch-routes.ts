import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { BatchService } from '../batch/batch-service.js';
import { SwitchyardError } from '../spec/errors.js';
import { batchCreateSchema, batchListQuerySchema, toOpenAIBatch, toOpenAIFile } from './batch-wire.js';
import type { GatewayRouteConfig } from './route-support.js';
import { validateBody } from './validate-body.js';

declare module 'fastify' {
  // The gateway's route config (wire, authenticated); declared so that plugins augmenting the config type keep accepting it.
  interface FastifyContextConfig extends GatewayRouteConfig {}
  interface FastifyInstance {
    /** Starts the gateway's in-process batch worker (when it runs one), resuming unfinished batches. */
    startBatchWorker(): Promise<void>;
  }
}

/**
 * The OpenAI Files and Batch APIs, per tenant: POST /v1/files (multipart,
 * `purpose=batch`, streamed into SQL), GET /v1/files/{id} and its
 * `/content` (streamed out), POST /v1/batches, GET /v1/batches (paged),
 * GET /v1/batches/{id}, POST /v1/batches/{id}/cancel. A tenant sees only
 * its own files and batches (another tenant's id is 404). `startWorker`
 * runs before the first batch call when the gateway works its own batches.
 */
export function registerBatchRoutes(app: FastifyInstance, service: BatchService, options: { maxFileBytes: number; ensureWorker: () => Promise<void> }): void {
  const config: GatewayRouteConfig = { wire: 'openai', authenticated: true };

  app.post('/v1/files', { config }, async (request, reply) => {
    if (!request.isMultipart()) throw new SwitchyardError({ code: 'invalid_request', status: 400, message: 'POST /v1/files takes multipart/form-data with "file" and "purpose"' });
    const files = await service.files();
    let uploaded: Awaited<ReturnType<typeof files.upload>> | undefined;
    let purpose: string | undefined;
    try {
      for await (const part of request.parts({ limits: { fileSize: options.maxFileBytes, files: 1, fields: 10 } })) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') {
            part.file.resume();
            continue;
          }
          uploaded = await files.upload(request.tenant, part.filename || 'upload.jsonl', 'batch', part.file, options.maxFileBytes);
          if (part.file.truncated) throw new SwitchyardError({ code: 'payload_too_large', status: 413, param: 'file', message: `the file is larger than ${options.maxFileBytes} bytes` });
        } else if (part.fieldname === 'purpose') purpose = String(part.value);
      }
      if (uploaded === undefined) throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'file', message: 'file: a file part is required' });
      if (purpose !== 'batch') throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'purpose', message: `purpose: only "batch" is supported, got ${JSON.stringify(purpose ?? null)}` });
    } catch (error) {
      if (uploaded !== undefined) await files.remove(uploaded.id);
      throw error;
    }
    return reply.send(toOpenAIFile(uploaded));
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id', { config }, async (request, reply) => {
    const file = await (await service.files()).get(request.tenant, request.params.id);
    return reply.send(toOpenAIFile(file));
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id/content', { config }, async (request, reply) => {
    const files = await service.files();
    const file = await files.get(request.tenant, request.params.id);
    return reply.type('application/octet-stream').send(Readable.from(files.content(file)));
  });

  app.post('/v1/batches', { config }, async (request, reply) => {
    const body = validateBody(batchCreateSchema, request.body);
    await options.ensureWorker();
    const batch = await service.create({ tenant: request.tenant, keyId: request.identity?.keyId ?? null }, {
      inputFileId: body.input_file_id,
      endpoint: body.endpoint,
      completionWindow: body.completion_window,
      metadata: body.metadata ?? null,
    });
    return reply.send(toOpenAIBatch(batch, { completed: 0, failed: 0 }));
  });

  app.get('/v1/batches', { config }, async (request, reply) => {
    const query = validateBody(batchListQuerySchema, request.query ?? {});
    const batches = await service.list(request.tenant, { after: query.after, limit: query.limit + 1 });
    const page = batches.slice(0, query.limit);
    const data = await Promise.all(page.map(async (batch) => toOpenAIBatch(batch, await service.counts(batch))));
    return reply.send({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: batches.length > query.limit });
  });

  app.get<{ Params: { id: string } }>('/v1/batches/:id', { config }, async (request, reply) => {
    await options.ensureWorker();
    const batch = await service.get(request.tenant, request.params.id);
    return reply.send(toOpenAIBatch(batch, await service.counts(batch)));
  });

  app.post<{ Params: { id: string } }>('/v1/batches/:id/cancel', { config }, async (request, reply) => {
    const batch = await service.cancel(request.tenant, request.params.id);
    return reply.send(toOpenAIBatch(batch, await service.counts(batch)));
  });
}
