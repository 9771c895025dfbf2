import { Type, type TSchema } from '@sinclair/typebox';

/** TypeBox schemas of the admin API: they validate requests, shape responses and generate /api/openapi.json. */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Id = Type.String({ minLength: 1, maxLength: 64, description: 'UUID' });
export const IdParams = Type.Object({ id: Id });
export const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });
export const DeptQuery = Type.Object({ department_id: Type.Optional(Id) }, { additionalProperties: false });

export const RoleName = Type.Union(['sysadmin', 'secadmin', 'auditor', 'dept_admin', 'member'].map((r) => Type.Literal(r)));
export const RoleAssignment = Type.Object({
  role: RoleName,
  department_id: Type.Optional(Nullable(Id)),
}, { additionalProperties: false });

export const DepartmentName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^/\\\\\\u0000-\\u001f]+$', description: 'Unique department (tenant) name' });
export const Department = Type.Object({
  id: Type.String(), name: Type.String(), display_name: Nullable(Type.String()), parent_id: Nullable(Type.String()), created_at: Type.Number(),
});
export const DepartmentCreate = Type.Object({
  name: DepartmentName,
  display_name: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  parent_id: Type.Optional(Nullable(Id)),
}, { additionalProperties: false });
export const DepartmentPatch = Type.Object({
  display_name: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  parent_id: Type.Optional(Nullable(Id)),
}, { additionalProperties: false });

export const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' });
export const Password = Type.String({ minLength: 8, maxLength: 256 });
export const User = Type.Object({
  id: Type.String(), username: Type.String(), display_name: Nullable(Type.String()), disabled: Type.Boolean(),
  created_at: Type.Number(), last_login_at: Nullable(Type.Number()),
  roles: Type.Array(Type.Object({ role: Type.String(), department_id: Nullable(Type.String()) })),
});
export const UserCreate = Type.Object({
  username: Username,
  password: Type.Optional(Password),
  display_name: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  roles: Type.Array(RoleAssignment, { maxItems: 32 }),
}, { additionalProperties: false });
export const UserPatch = Type.Object({
  display_name: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  disabled: Type.Optional(Type.Boolean()),
  password: Type.Optional(Password),
}, { additionalProperties: false });
export const RolesPut = Type.Object({ roles: Type.Array(RoleAssignment, { maxItems: 32 }) }, { additionalProperties: false });

export const Login = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export const PasswordChange = Type.Object({ current_password: Type.String({ minLength: 1, maxLength: 256 }), new_password: Password }, { additionalProperties: false });
export const Me = Type.Object({ user: User });

export const Key = Type.Object({
  id: Type.String(), department_id: Type.String(), name: Nullable(Type.String()), prefix: Type.String(),
  created_at: Type.Number(), expires_at: Nullable(Type.Number()), revoked_at: Nullable(Type.Number()), last_used_at: Nullable(Type.Number()),
  allowed_models: Nullable(Type.Array(Type.String())), allowed_ips: Nullable(Type.Array(Type.String())), created_by: Nullable(Type.String()),
});
export const KeyCreate = Type.Object({
  department_id: Id,
  name: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  expires_at: Type.Optional(Nullable(Type.Integer({ minimum: 0, description: 'epoch milliseconds' }))),
  allowed_models: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 256 }))),
  allowed_ips: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 2, maxLength: 64, description: 'address or CIDR, IPv4 or IPv6' }), { maxItems: 256 }))),
}, { additionalProperties: false });
export const KeyCreated = Type.Object({ key: Key, secret: Type.String({ description: 'The API key. Shown this once only.' }) });

export const Model = Type.Object({
  name: Type.String(), provider: Type.String(), zone: Type.String(), source: Type.String(), has_api_key: Type.Boolean(),
  config: Type.Record(Type.String(), Type.Unknown()), created_at: Nullable(Type.Number()), updated_at: Nullable(Type.Number()),
});
export const ModelCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  provider: Type.String({ minLength: 1 }),
  zone: Type.Union([Type.Literal('private'), Type.Literal('external')]),
  api_key: Type.Optional(Type.String({ minLength: 1, description: 'Stored SM4-encrypted; never returned.' })),
}, { additionalProperties: true, description: 'A models: entry of yumen.yaml (base_url, model, backends, timeouts, …).' });
export const ModelPatch = Type.Object({
  zone: Type.Optional(Type.Union([Type.Literal('private'), Type.Literal('external')])),
  api_key: Type.Optional(Nullable(Type.String({ minLength: 1 }))),
}, { additionalProperties: true });

export const Policy = Type.Object({
  department_id: Type.String(),
  policy: Type.Unknown({ description: 'This department\'s own policy JSON, or null' }),
  updated_at: Nullable(Type.Number()),
  own: Type.Unknown({ description: 'The same as policy: this department\'s own layer, or null' }),
  layers: Type.Array(Type.Object({ source: Type.String(), policy: Type.Unknown(), skipped: Type.Optional(Type.Array(Type.String())) }), { description: 'config, policy.tenants.<name>, then department:<id> root first' }),
  effective: Type.Object({ policy: Type.Unknown({ description: 'The merged policy the gateway enforces' }), source_department_id: Nullable(Type.String({ description: 'The nearest department with a policy of its own' })) }),
});
export const PolicyPut = Type.Object({ policy: Nullable(Type.Record(Type.String(), Type.Unknown())) }, { additionalProperties: false });

export const Term = Type.Object({ term: Type.String({ minLength: 1, maxLength: 256 }), label: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const Dictionary = Type.Object({
  id: Type.String(), department_id: Type.String(), name: Type.String(),
  terms: Type.Array(Type.Object({ term: Type.String(), label: Type.String() })), created_at: Type.Number(), updated_at: Type.Number(),
});
export const DictionaryCreate = Type.Object({
  department_id: Id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  terms: Type.Array(Term, { maxItems: 100_000 }),
}, { additionalProperties: false });
export const DictionaryPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  terms: Type.Optional(Type.Array(Term, { maxItems: 100_000 })),
}, { additionalProperties: false });

export const ListOf = <T extends TSchema>(t: T) => Type.Object({ data: Type.Array(t) });
export const Ok = Type.Object({ ok: Type.Boolean() });
