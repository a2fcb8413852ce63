// The fields Google's APIs take, read from what node_modules ships: the protos of the @google-cloud
// packages (Cloud Run, Secret Manager, Artifact Registry; google.api.field_behavior says what is
// output-only) and, for the discovery-only APIs (Cloud Storage, IAM), the discovery documents as the
// @googleapis packages ship them: their generated typings (build/v1.d.ts) carry every schema, its
// nested objects and each field's description ("Output only. ...") from the discovery document.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { lookupProto, type ProtoType, resolveFieldType } from '../../src/manifest/proto-bounds.js';

const require = createRequire(import.meta.url);

export interface UpstreamField {
  name: string;
  repeated: boolean;
  map: boolean;
  outputOnly: boolean;
  inputOnly: boolean;
  deprecated: boolean;
  /** The field's message, when it is one (well-known google.protobuf types are values, not messages). */
  message?: () => UpstreamMessage;
  /** The enum's full name and values, when it is one. */
  enumName?: string;
}

export interface UpstreamMessage {
  /** Full proto name (google.cloud.run.v2.Service) or discovery path (storage:v1#Bucket.autoclass). */
  name: string;
  fields: UpstreamField[];
}

// --- protos ---------------------------------------------------------------------------------------

interface RawField {
  type: string;
  rule?: string;
  keyType?: string;
  options?: Record<string, unknown>;
}

/** A message of the shipped protos, with its fields' behaviours. */
export function protoMessage(fullName: string): UpstreamMessage {
  const found = lookupProto(fullName);
  if (!found?.type.fields) throw new Error(`${fullName} is not a message in the shipped protos`);
  const fields = Object.entries(found.type.fields as Record<string, RawField>).map(([name, f]): UpstreamField => {
    const behavior = String(f.options?.['(google.api.field_behavior)'] ?? '');
    const resolved = f.type.startsWith('google.protobuf.') ? undefined : resolveFieldType(fullName, f.type);
    const isEnum = Boolean((resolved?.type as ProtoType | undefined)?.values);
    return {
      name,
      repeated: f.rule === 'repeated',
      map: f.keyType !== undefined,
      outputOnly: behavior === 'OUTPUT_ONLY',
      inputOnly: behavior === 'INPUT_ONLY',
      deprecated: f.options?.deprecated === true,
      ...(resolved && !isEnum ? { message: () => protoMessage(resolved.name) } : {}),
      ...(resolved && isEnum ? { enumName: resolved.name } : {}),
    };
  });
  return { name: fullName, fields };
}

// --- discovery documents (as the @googleapis typings carry them) ----------------------------------

type TS = typeof import('typescript');
let ts: TS | undefined;
const typescript = (): TS => (ts ??= require('typescript') as TS);

const sources = new Map<string, import('typescript').SourceFile>();

function typings(api: string, version: string): import('typescript').SourceFile {
  const key = `${api}:${version}`;
  let sf = sources.get(key);
  if (!sf) {
    const file = join(dirname(require.resolve(`@googleapis/${api}/package.json`)), 'build', `${version}.d.ts`);
    sf = typescript().createSourceFile(file, readFileSync(file, 'utf8'), typescript().ScriptTarget.Latest, true);
    sources.set(key, sf);
  }
  return sf;
}

/** The interface Schema$NAME of a discovery document's typings. */
function schemaInterface(sf: import('typescript').SourceFile, name: string): import('typescript').InterfaceDeclaration {
  const t = typescript();
  let found: import('typescript').InterfaceDeclaration | undefined;
  const visit = (n: import('typescript').Node): void => {
    if (t.isInterfaceDeclaration(n) && n.name.text === `Schema$${name}`) found = n;
    else t.forEachChild(n, visit);
  };
  visit(sf);
  if (!found) throw new Error(`${sf.fileName}: no schema ${name}`);
  return found;
}

/** The description the discovery document gives a field (the JSDoc of its property). */
function description(member: import('typescript').Node): string {
  const docs = (member as { jsDoc?: Array<{ comment?: string | unknown }> }).jsDoc ?? [];
  return docs.map((d) => (typeof d.comment === 'string' ? d.comment : '')).join(' ');
}

/**
 * A schema of a discovery document ("storage:v1#Bucket"), its inline objects as messages of their
 * own ("storage:v1#Bucket.autoclass", "storage:v1#Bucket.lifecycle.rule[].condition").
 */
export function discoveryMessage(ref: string): UpstreamMessage {
  const [doc, path] = ref.split('#');
  const [api, version] = doc.split(':');
  const [schemaName] = path.split('.');
  const sf = typings(api, version);
  const members = schemaInterface(sf, schemaName).members;
  return membersMessage(`${doc}#${schemaName}`, members, sf);
}

function membersMessage(
  name: string,
  members: import('typescript').NodeArray<import('typescript').TypeElement>,
  sf: import('typescript').SourceFile,
): UpstreamMessage {
  const t = typescript();
  const fields: UpstreamField[] = [];
  for (const m of members) {
    if (!t.isPropertySignature(m) || !m.type) continue;
    const fieldName = m.name.getText(sf);
    const text = description(m);
    const shape = shapeOf(m.type, sf);
    const childName = `${name}.${fieldName}${shape.repeated ? '[]' : ''}`;
    fields.push({
      name: fieldName,
      repeated: shape.repeated,
      map: shape.map,
      outputOnly: /^\s*(\[Output Only\]|Output only\.)/i.test(text),
      inputOnly: /^\s*Input only\./i.test(text),
      deprecated: /^\s*Deprecated\b/i.test(text),
      ...(shape.members ? { message: () => membersMessage(childName, shape.members!, sf) } : {}),
      ...(shape.schema ? { message: () => ({ ...discoveryMessage(`${name.split('#')[0]}#${shape.schema}`), name: childName }) } : {}),
    });
  }
  return { name, fields };
}

interface Shape {
  repeated: boolean;
  map: boolean;
  /** An inline object's members. */
  members?: import('typescript').NodeArray<import('typescript').TypeElement>;
  /** A named schema (Schema$X) it refers to. */
  schema?: string;
}

/** What a property's type is: `{...} | null`, `Array<{...}>`, `Schema$X[]`, `{[key: string]: T}`, or a value. */
function shapeOf(type: import('typescript').TypeNode, sf: import('typescript').SourceFile): Shape {
  const t = typescript();
  if (t.isUnionTypeNode(type)) {
    const nonNull = type.types.filter((x) => !(t.isLiteralTypeNode(x) && x.literal.kind === t.SyntaxKind.NullKeyword));
    return nonNull.length === 1 ? shapeOf(nonNull[0], sf) : { repeated: false, map: false };
  }
  if (t.isArrayTypeNode(type)) return { ...shapeOf(type.elementType, sf), repeated: true };
  if (t.isTypeReferenceNode(type)) {
    const name = type.typeName.getText(sf);
    if (name === 'Array' && type.typeArguments?.length === 1) return { ...shapeOf(type.typeArguments[0], sf), repeated: true };
    if (name.startsWith('Schema$')) return { repeated: false, map: false, schema: name.slice('Schema$'.length) };
    return { repeated: false, map: false };
  }
  if (t.isTypeLiteralNode(type)) {
    const index = type.members.find((m) => t.isIndexSignatureDeclaration(m));
    if (index && t.isIndexSignatureDeclaration(index)) {
      const value = shapeOf(index.type, sf);
      return { ...value, repeated: false, map: true };
    }
    return { repeated: false, map: false, members: type.members };
  }
  return { repeated: false, map: false };
}
