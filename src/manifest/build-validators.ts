// Run by `npm run build` after tsc: precompiles the schema validators into
// dist/schema-validators.cjs (ajv standalone code), stamped with the schemas' hash.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { schemasHash, standaloneValidators } from './schema-compile.js';
import { PRECOMPILED, readSchemas } from './schemas.js';

const { schemas, texts, kinds } = readSchemas();
mkdirSync(dirname(PRECOMPILED), { recursive: true });
writeFileSync(PRECOMPILED, standaloneValidators(schemas, kinds, schemasHash(texts)));
process.stdout.write(`precompiled ${kinds.size} schema validators into ${PRECOMPILED}\n`);
