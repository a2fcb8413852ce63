// Request-body checks for IAM v1. IAM is described by a discovery document, not by protos in
// node_modules, so its message shapes are listed here (field names from the discovery document
// behind @googleapis/iam). Its JSON front end rejects unknown fields and mistyped values the same
// way every One Platform API does (gcp-api-facts.md §0).
import { ApiError, badRequest } from '../errors.js';

type FieldKind = 'string' | 'bool' | 'int32' | { message: string } | { repeated: FieldKind };
type MessageShape = Record<string, FieldKind>;

const SHAPES: Record<string, MessageShape> = {
  CreateServiceAccountRequest: { accountId: 'string', serviceAccount: { message: 'ServiceAccount' } },
  ServiceAccount: {
    name: 'string',
    projectId: 'string',
    uniqueId: 'string',
    email: 'string',
    displayName: 'string',
    etag: 'string',
    description: 'string',
    oauth2ClientId: 'string',
    disabled: 'bool',
  },
  PatchServiceAccountRequest: { serviceAccount: { message: 'ServiceAccount' }, updateMask: 'string' },
  EnableServiceAccountRequest: {},
  UndeleteServiceAccountRequest: {},
  DisableServiceAccountRequest: {},
  GetIamPolicyRequest: { options: { message: 'GetPolicyOptions' } },
  GetPolicyOptions: { requestedPolicyVersion: 'int32' },
  SetIamPolicyRequest: { policy: { message: 'Policy' }, updateMask: 'string' },
  Policy: {
    version: 'int32',
    etag: 'string',
    bindings: { repeated: { message: 'Binding' } },
    auditConfigs: { repeated: { message: 'AuditConfig' } },
  },
  Binding: { role: 'string', members: { repeated: 'string' }, condition: { message: 'Expr' } },
  Expr: { expression: 'string', title: 'string', description: 'string', location: 'string' },
  AuditConfig: { service: 'string', auditLogConfigs: { repeated: { message: 'AuditLogConfig' } } },
  AuditLogConfig: { logType: 'string', exemptedMembers: { repeated: 'string' } },
};

/**
 * Checks `body` against an IAM v1 request message and returns it with snake_case keys turned into
 * camelCase (Google accepts both spellings). Unknown names and mistyped values answer 400 with
 * Google's wording; paths in messages use the proto (snake_case) names.
 */
export function checkIamBody(message: string, body: unknown): any {
  return checkMessage(message, body ?? {}, '');
}

function checkMessage(message: string, value: unknown, path: string): any {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(path, `type.googleapis.com/google.iam.admin.v1.${message}`, value);
  }
  const shape = SHAPES[message];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = camel(key);
    const kind = shape[name];
    if (!kind) {
      const at = path ? ` at '${path}'` : '';
      const text = `Invalid JSON payload received. Unknown name "${key}"${at}: Cannot find field.`;
      throw new ApiError(400, text, 'INVALID_ARGUMENT', [badRequest(path, text)]);
    }
    if (v === null) continue;
    out[name] = checkValue(kind, v, path ? `${path}.${snake(name)}` : snake(name));
  }
  return out;
}

function checkValue(kind: FieldKind, v: unknown, path: string): unknown {
  if (typeof kind === 'object' && 'repeated' in kind) {
    if (!Array.isArray(v)) throw invalid(path, 'list', v);
    return v.map((item, i) => checkValue(kind.repeated, item, `${path}[${i}]`));
  }
  if (typeof kind === 'object') return checkMessage(kind.message, v, path);
  if (kind === 'bool') {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw invalid(path, 'TYPE_BOOL', v);
  }
  if (kind === 'int32') {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(path, 'TYPE_INT32', v);
    return n;
  }
  if (typeof v !== 'string') throw invalid(path, 'TYPE_STRING', v);
  return v;
}

function invalid(path: string, label: string, value: unknown): ApiError {
  const text = `Invalid value at '${path}' (${label}), ${JSON.stringify(value)}`;
  return new ApiError(400, text, 'INVALID_ARGUMENT', [badRequest(path, text)]);
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
