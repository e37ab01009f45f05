// Emits the JSON Schemas editors use to complete catalog YAML (schemas/*.schema.json) from the zod schemas.
import { writeFileSync, mkdirSync } from 'node:fs';
import { z } from 'zod';
import { TokensFile } from '../src/api/tokens.ts';
import { ExtensionManifest, Profile } from '../src/catalog/schema.ts';

mkdirSync('schemas', { recursive: true });
for (const [name, schema] of [
  ['profile', Profile],
  ['extension', ExtensionManifest],
  ['api-tokens', TokensFile],
] as const) {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  writeFileSync(
    `schemas/${name}.schema.json`,
    `${JSON.stringify({ $id: `https://sand-boxer.dev/schemas/${name}.schema.json`, title: `sand-boxer ${name}`, ...json }, null, 2)}\n`,
  );
  console.log(`schemas/${name}.schema.json`);
}
