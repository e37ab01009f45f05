import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../src/api/openapi.ts';
import { routes } from '../../src/api/routes.ts';
import { requestSchemas } from '../../src/api/schemas.ts';
import { runCli } from '../../src/cli/run.ts';
import { startTestApi, type TestApi } from './harness.ts';
import { openApiValidator } from './schema-check.ts';

/** The parts of the OpenAPI 3.1 structure this document uses, as a JSON Schema (checked with ajv). */
const OPENAPI_31_SUBSET = {
  type: 'object',
  required: ['openapi', 'info', 'paths', 'components'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' }, description: { type: 'string' } },
    },
    jsonSchemaDialect: { type: 'string', format: 'uri' },
    servers: {
      type: 'array',
      items: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
    },
    security: { type: 'array', items: { type: 'object' } },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'] },
        additionalProperties: { $ref: '#/$defs/operation' },
      },
    },
    components: {
      type: 'object',
      required: ['schemas', 'securitySchemes'],
      properties: {
        schemas: { type: 'object', additionalProperties: { type: 'object' } },
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['http', 'apiKey', 'oauth2', 'openIdConnect', 'mutualTLS'] } },
          },
        },
      },
    },
  },
  $defs: {
    // A content map: JSON, or the streamed types of the access routes (NDJSON, text, tar), each with a schema.
    media: {
      type: 'object',
      minProperties: 1,
      propertyNames: {
        enum: ['application/json', 'application/x-ndjson', 'application/x-tar', 'text/plain'],
      },
      additionalProperties: {
        type: 'object',
        required: ['schema'],
        properties: { schema: { type: 'object' } },
      },
    },
    operation: {
      type: 'object',
      required: ['operationId', 'summary', 'responses'],
      additionalProperties: false,
      properties: {
        operationId: { type: 'string', pattern: '^[a-zA-Z]+$' },
        summary: { type: 'string' },
        description: { type: 'string' },
        security: { type: 'array' },
        parameters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'in', 'schema'],
            properties: {
              name: { type: 'string' },
              in: { enum: ['path', 'query', 'header', 'cookie'] },
              required: { type: 'boolean' },
              schema: { type: 'object' },
              style: { type: 'string' },
              explode: { type: 'boolean' },
            },
            if: { properties: { in: { const: 'path' } } },
            then: { required: ['required'], properties: { required: { const: true } } },
          },
        },
        requestBody: {
          type: 'object',
          required: ['content'],
          properties: { content: { $ref: '#/$defs/media' } },
        },
        responses: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^([1-5][0-9][0-9]|default)$' },
          additionalProperties: {
            type: 'object',
            required: ['description'],
            properties: { description: { type: 'string' }, content: { $ref: '#/$defs/media' } },
          },
        },
      },
    },
  },
};

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  return out;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>(
      (n, part) => (n as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/')],
      doc,
    );
}

describe('OpenAPI document', () => {
  const v = openApiValidator();
  const doc = v.doc as {
    paths: Record<
      string,
      Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>
    >;
  };

  it('has the OpenAPI 3.1 structure (ajv)', () => {
    const validate = v.ajv.compile(OPENAPI_31_SUBSET);
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('has component schemas that compile as JSON Schema 2020-12 in ajv strict mode', () => {
    expect(v.names).toEqual(
      expect.arrayContaining(['SandboxRecord', 'SnapshotRecord', 'CreateSandboxRequest', 'Error', 'Health']),
    );
    for (const name of v.names) expect(() => v.errors(name, {}), name).not.toThrow();
  });

  it('resolves every $ref', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(resolvePointer(doc, ref), ref).toBeTypeOf('object');
  });

  it('documents exactly the served routes, with unique operationIds and every path parameter', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const [p, ops] of Object.entries(doc.paths)) {
      const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops))
        expect(
          (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name),
          `${op.operationId}`,
        ).toEqual(names);
    }
  });

  it('request schemas accept and reject what the zod schemas do', () => {
    const bodies: [keyof typeof requestSchemas, unknown][] = [
      ['CreateSandboxRequest', {}],
      ['CreateSandboxRequest', { profile: 'profile.saas-stub', ttl: '30m', route: 'lowest-cost' }],
      ['CreateSandboxRequest', { profile: 'saas-stub' }],
      ['CreateSandboxRequest', { labels: { team: 'qa' }, inputs: { repo: './x' } }],
      ['CreateSandboxRequest', { labels: { 'Bad Key': 'x' } }],
      ['CreateSandboxRequest', { extra: 1 }],
      ['ExtendTtlRequest', { by: '1h' }],
      ['ExtendTtlRequest', {}],
      ['SnapshotRequest', { name: 'ok-name' }],
      ['SnapshotRequest', { name: 'not ok' }],
      ['RestoreRequest', { ttl: '5m' }],
      ['RecreateRequest', { x: 1 }],
    ];
    for (const [name, body] of bodies) {
      const zodOk = requestSchemas[name].safeParse(body).success;
      expect(v.errors(name, body).length === 0, `${name} ${JSON.stringify(body)}`).toBe(zodOk);
    }
  });

  it('is what `sandboxer serve --openapi` prints', async () => {
    let out = '';
    const code = await runCli(['serve', '--openapi'], {
      stdout: (s) => (out += s),
      stderr: () => {},
      env: {},
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(
      buildOpenApi({ version: (JSON.parse(out) as { info: { version: string } }).info.version }),
    );
  });
});

describe('GET /openapi.json', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ version: '9.9.9' });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('serves the generated document', async () => {
    const r = await api.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(buildOpenApi({ version: '9.9.9', serverUrl: api.server.url }));
  });

  it('describes real responses: health and errors validate against their components', async () => {
    const health = await api.call('GET', '/healthz');
    expect(v(health.body, 'Health')).toEqual([]);
    const err = await api.call('GET', '/v1/sandboxes/sbx-000000000000');
    expect(v(err.body, 'Error')).toEqual([]);
  });
});

const validator = openApiValidator();
const v = (body: unknown, name: string) => validator.errors(name, body);
