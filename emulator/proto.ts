// Proto3 JSON as Google's REST front ends speak it, driven by the protos shipped inside the
// official @google-cloud packages (the authoritative field lists, gcp-api-facts.md §0):
// - decode: reject unknown fields with Google's exact message, accept enums by name or number
//   (stored by name), drop OUTPUT_ONLY fields the client echoed back.
// - encode: enums as numbers when the client asked for `enum-encoding=int`, int64 as strings,
//   default scalars and empty lists/maps omitted.
import { createRequire } from 'node:module';
import { ApiError, badRequest } from './errors.js';

const require = createRequire(import.meta.url);
// protobufjs is google-gax's own copy: the same one the clients decode our answers with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { protobuf } = require('google-gax') as { protobuf: typeof import('protobufjs') };
type PType = import('protobufjs').Type;
type PEnum = import('protobufjs').Enum;
type PField = import('protobufjs').Field;

/** Well-known types whose JSON form is not an object of their fields. */
const OPAQUE_TYPES = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.Any',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.Int32Value',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.BytesValue',
]);
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const NUMERIC = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'double', 'float', ...INT64]);

const fullName = (t: { fullName: string }): string => t.fullName.replace(/^\./, '');

export interface EncodeOptions {
  enumInt: boolean;
}

export class ProtoCodec {
  private constructor(private readonly root: import('protobufjs').Root) {}

  private static cache = new Map<string, ProtoCodec>();

  /** Loads the protos.json bundled with an official client package, e.g. '@google-cloud/run'. */
  static forPackage(pkg: string): ProtoCodec {
    let codec = ProtoCodec.cache.get(pkg);
    if (!codec) {
      const root = protobuf.Root.fromJSON(require(`${pkg}/build/protos/protos.json`));
      root.resolveAll();
      codec = new ProtoCodec(root);
      ProtoCodec.cache.set(pkg, codec);
    }
    return codec;
  }

  /** The primary google.api.http rule of each RPC of a service (additional bindings left out). */
  httpRules(serviceName: string): Record<string, { method: string; path: string }> {
    const service = this.root.lookupService(serviceName);
    const out: Record<string, { method: string; path: string }> = {};
    for (const [rpc, m] of Object.entries(service.methods)) {
      const options = (m.options ?? {}) as Record<string, unknown>;
      for (const verb of ['get', 'post', 'patch', 'put', 'delete']) {
        const path = options[`(google.api.http).${verb}`];
        if (typeof path === 'string') out[rpc] = { method: verb.toUpperCase(), path };
      }
    }
    return out;
  }

  type(name: string): PType {
    return this.root.lookupType(name);
  }

  /** Enum value names of an enum type, by number. */
  enumValues(name: string): Record<string, number> {
    return this.root.lookupEnum(name).values;
  }

  /**
   * Checks a request body against a message type and returns a copy with enums as names and
   * OUTPUT_ONLY fields removed. `path` is the request field the body binds to ('service'), used in
   * error messages the way Google words them.
   */
  decode(typeName: string, json: unknown, path = '', keepOutputOnly = false): any {
    return this.decodeMessage(this.type(typeName), json, path, keepOutputOnly);
  }

  encode(typeName: string, obj: unknown, opts: EncodeOptions): any {
    return this.encodeMessage(this.type(typeName), obj, opts);
  }

  private decodeMessage(type: PType, json: unknown, path: string, keepOutputOnly: boolean): any {
    if (json === null || json === undefined) return json;
    if (typeof json !== 'object' || Array.isArray(json)) {
      throw invalidValue(path, type, json);
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      const field = findField(type, key);
      if (!field) {
        const at = path ? ` at '${path}'` : '';
        const message = `Invalid JSON payload received. Unknown name "${key}"${at}: Cannot find field.`;
        throw new ApiError(400, message, 'INVALID_ARGUMENT', [badRequest(path, message)]);
      }
      if (!keepOutputOnly && isOutputOnly(field)) continue;
      if (value === null) continue;
      // Google names fields in error paths by their proto (snake_case) names: 'service.max_instance_request_concurrency'.
      const childPath = path ? `${path}.${snake(field.name)}` : snake(field.name);
      out[field.name] = this.decodeField(field, value, childPath, keepOutputOnly);
    }
    return out;
  }

  private decodeField(field: PField, value: unknown, path: string, keepOutputOnly: boolean): unknown {
    if (field.map) {
      if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(path, field, value);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out[k] = this.decodeSingle(field, v, `${path}[${k}]`, keepOutputOnly);
      }
      return out;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) throw invalidValue(path, field, value);
      return value.map((v, i) => this.decodeSingle(field, v, `${path}[${i}]`, keepOutputOnly));
    }
    return this.decodeSingle(field, value, path, keepOutputOnly);
  }

  private decodeSingle(field: PField, value: unknown, path: string, keepOutputOnly: boolean): unknown {
    const rt = field.resolvedType;
    if (rt && 'values' in rt) return decodeEnum(rt as PEnum, value, path);
    if (rt) {
      const t = rt as PType;
      if (OPAQUE_TYPES.has(fullName(t))) return value;
      return this.decodeMessage(t, value, path, keepOutputOnly);
    }
    if (field.type === 'bool') {
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw invalidValue(path, field, value);
    }
    if (NUMERIC.has(field.type)) {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) throw invalidValue(path, field, value);
      return INT64.has(field.type) ? String(value) : n;
    }
    if (typeof value !== 'string') throw invalidValue(path, field, value);
    return value;
  }

  private encodeMessage(type: PType, obj: unknown, opts: EncodeOptions): any {
    if (obj === null || obj === undefined || typeof obj !== 'object') return obj;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
      if (key === '@type') {
        out[key] = value;
        continue;
      }
      const field = findField(type, key);
      if (!field) {
        out[key] = value;
        continue;
      } // emulator-internal extras never reach here in practice
      const encoded = this.encodeField(field, value, opts);
      if (encoded === undefined) continue;
      out[field.name] = encoded;
    }
    return out;
  }

  private encodeField(field: PField, value: unknown, opts: EncodeOptions): unknown {
    if (value === undefined || value === null) return undefined;
    const explicitPresence = Boolean(field.partOf) || Boolean(field.options?.proto3_optional);
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) return undefined;
      return Object.fromEntries(entries.map(([k, v]) => [k, this.encodeSingle(field, v, opts)]));
    }
    if (field.repeated) {
      const list = value as unknown[];
      if (list.length === 0) return undefined;
      return list.map((v) => this.encodeSingle(field, v, opts));
    }
    const encoded = this.encodeSingle(field, value, opts);
    if (!explicitPresence && isDefaultScalar(field, encoded)) return undefined;
    return encoded;
  }

  private encodeSingle(field: PField, value: unknown, opts: EncodeOptions): unknown {
    const rt = field.resolvedType;
    if (rt && 'values' in rt) {
      const e = rt as PEnum;
      const num = typeof value === 'number' ? value : e.values[value as string];
      if (opts.enumInt) return num ?? value;
      return typeof value === 'number' ? (e.valuesById[value] ?? value) : value;
    }
    if (rt) {
      const t = rt as PType;
      if (OPAQUE_TYPES.has(fullName(t))) return value;
      return this.encodeMessage(t, value, opts);
    }
    if (INT64.has(field.type)) return String(value);
    return value;
  }
}

function findField(type: PType, key: string): PField | undefined {
  // protobufjs keeps camelCase names; Google also accepts the original snake_case name.
  return type.fields[key] ?? type.fieldsArray.find((f) => snake(f.name) === key);
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function isOutputOnly(field: PField): boolean {
  const behavior = field.options?.['(google.api.field_behavior)'];
  return behavior === 'OUTPUT_ONLY';
}

function isDefaultScalar(field: PField, v: unknown): boolean {
  if (field.resolvedType && !('values' in field.resolvedType)) return false; // message: presence matters
  if (field.resolvedType) return v === 0 || (typeof v === 'string' && /_UNSPECIFIED$/.test(v)) || (field.resolvedType as PEnum).values[v as string] === 0;
  return v === false || v === 0 || v === '' || v === '0';
}

function decodeEnum(e: PEnum, value: unknown, path: string): string {
  if (typeof value === 'number' && e.valuesById[value] !== undefined) return e.valuesById[value];
  if (typeof value === 'string' && e.values[value] !== undefined) return value;
  if (typeof value === 'string' && /^\d+$/.test(value) && e.valuesById[Number(value)] !== undefined) {
    return e.valuesById[Number(value)];
  }
  throw invalidValue(path, e, value);
}

/** `t` is a message or enum type (named by type URL) or a scalar field (named TYPE_INT32 etc.). */
function invalidValue(path: string, t: PType | PEnum | PField, value: unknown): ApiError {
  const label = t instanceof protobuf.Field ? `TYPE_${t.type.toUpperCase()}` : `type.googleapis.com/${fullName(t)}`;
  const message = `Invalid value at '${path}' (${label}), ${JSON.stringify(value)}`;
  return new ApiError(400, message, 'INVALID_ARGUMENT', [badRequest(path, message)]);
}
