import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApi } from '../../src/api/openapi.ts';

const DOC_ID = 'https://sandboxer.invalid/openapi.json';

/** Validates bodies against the components of the generated OpenAPI document (ajv, JSON Schema 2020-12). */
export function openApiValidator(doc = buildOpenApi({ version: 'test' })) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  // The component schemas live under components.schemas, where the document's $refs point.
  ajv.addVocabulary(['components', 'schemas']);
  const components = (doc.components as { schemas: Record<string, unknown> }).schemas;
  ajv.addSchema({ $id: DOC_ID, components: { schemas: components } });
  return {
    doc,
    ajv,
    names: Object.keys(components),
    /** The ajv errors of `data` against components.schemas[name] (empty when valid). */
    errors(name: string, data: unknown): string[] {
      const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
      if (!validate) throw new Error(`no component schema ${name}`);
      if (validate(data)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    },
  };
}
