import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { type Dispatcher, request } from 'undici';

/**
 * An Azure SDK `HttpClient` over an undici dispatcher, so @azure/identity runs in-process through the
 * emulator's proxy and trusts its CA (NODE_EXTRA_CA_CERTS only works at process start).
 */
export function httpClientFor(dispatcher: Dispatcher): HttpClient {
  return {
    async sendRequest(req: PipelineRequest): Promise<PipelineResponse> {
      const body = req.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) {
        throw new Error(`unsupported request body type for ${req.url}`);
      }
      const response = await request(req.url, {
        method: req.method,
        headers: req.headers.toJSON(),
        body: body ?? null,
        dispatcher,
      });
      const headers = createHttpHeaders();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      return { request: req, status: response.statusCode, headers, bodyAsText: await response.body.text() };
    },
  };
}
