import * as z from 'zod';
import { routes as allRoutes, type Route } from './routes.ts';
import { requestSchemas, responseSchemas } from './schemas.ts';

type Json = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input: the body, a parameter or the query failed validation',
  401: 'Missing or invalid bearer token',
  402: 'Not enough credits',
  404: 'No such record',
  409: 'The record is not in a state that allows this',
  413: 'Request body too large',
  415: 'Request body is not JSON',
  422: 'Valid input the catalog or backend cannot serve (routing, unsupported, credentials)',
  500: 'Internal error',
  502: 'The backend failed',
  429: 'Too many requests from this token (in flight or per second): retry after Retry-After',
  503: 'The server is shutting down, or the state store is unavailable',
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** JSON Schemas of the named components, with $refs between them; requests as input, responses as output. */
function componentSchemas(): Record<string, Json> {
  const out: Record<string, Json> = {};
  const sets: ['input' | 'output', Record<string, z.ZodType>][] = [
    ['input', requestSchemas],
    ['output', responseSchemas],
  ];
  for (const [io, set] of sets) {
    const registry = z.registry<{ id: string }>();
    for (const [name, schema] of Object.entries(set)) registry.add(schema, { id: name });
    const { schemas } = z.toJSONSchema(registry, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
      uri: (id) => `#/components/schemas/${id}`,
    });
    for (const [name, schema] of Object.entries(schemas)) {
      // Components live inside the OpenAPI document: no $schema or $id of their own.
      const { $schema: _s, $id: _i, ...rest } = schema as Json;
      out[name] = rest;
    }
  }
  return out;
}

function toSchema(schema: z.ZodType): Json {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

function parameters(route: Route): Json[] {
  const out: Json[] = [];
  for (const [name, schema] of Object.entries(route.params ?? {})) {
    out.push({ name, in: 'path', required: true, schema: toSchema(schema) });
  }
  for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
    const schema = toSchema(field as z.ZodType);
    out.push({
      name,
      in: 'query',
      required: false,
      schema,
      ...(schema.type === 'array' ? { style: 'form', explode: true } : {}),
    });
  }
  return out;
}

function operation(route: Route): Json {
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(status === '204'
        ? {}
        : {
            content: r.contentType
              ? { [r.contentType]: { schema: { type: 'string', format: 'binary' } } }
              : { 'application/json': { schema: r.raw ? { type: 'object' } : ref(r.schema!) } },
          }),
    };
  }
  const errors = new Set([400, 500, ...(route.public ? [] : [401]), ...(route.errors ?? [])]);
  if (route.body) [413, 415].forEach((s) => errors.add(s));
  if (route.mutating) errors.add(429); // per-token limits (src/api/limits.ts)
  for (const status of [...errors].sort()) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: ref('Error') } },
    };
  }
  const params = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(route.rawBody
      ? {
          requestBody: {
            required: true,
            content: { [route.rawBody]: { schema: { type: 'string', format: 'binary' } } },
          },
        }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            required: false,
            description: 'A JSON object; an empty body counts as {}',
            content: { 'application/json': { schema: ref(route.body) } },
          },
        }
      : {}),
    responses,
    ...(route.public ? { security: [] } : {}),
  };
}

/** The OpenAPI 3.1 document of the HTTP API, generated from the route table and its zod schemas. */
export function buildOpenApi(opts: { version: string; serverUrl?: string; routes?: Route[] }): Json {
  const paths: Record<string, Json> = {};
  for (const route of opts.routes ?? allRoutes) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'sand-boxer HTTP API',
      version: opts.version,
      description:
        'Establish sandboxes over HTTP: the same lifecycle manager as the sandboxer CLI. Long operations answer ' +
        '202 with the record; poll GET /v1/sandboxes/{id} for its state.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [
      opts.serverUrl
        ? { url: opts.serverUrl, description: 'this server' }
        : { url: 'http://127.0.0.1:7878', description: 'sandboxer serve (default address)' },
    ],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The token behind the server --token-ref (required unless the server is loopback-only)',
        },
      },
    },
  };
}
