import fs from 'node:fs';
import path from 'node:path';
import { GraphQLObjectType, GraphQLSchema, getNamedType, isAbstractType, isListType, isNonNullType, isObjectType } from 'graphql';
import { projectRoot } from '../../src/config';
import { hubSchema } from '../../src/graphql/schema';
import { EVENT_READ_RULES, OWN_ONLY, OWN_ONLY_ROLES, READ_RULES } from '../../src/modules/auth/read-rules';
import { EVENT_TYPES, type EventType } from '../../src/modules/events/event-envelope';
import { Role, allows } from '../../src/modules/auth/role';
import { declaredRoles } from '../harness/schema-probe';

/** Schema-level checks of the read rules (src/modules/auth/read-rules.ts); the role matrix runs them over HTTP. */
let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await hubSchema();
});

const roles = Object.values(Role);
const roots = () => [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!];
const objectTypes = () => Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && !roots().includes(t));
const readers = (type: string) => roles.filter((r) => allows(READ_RULES[type] ?? [], r));

describe('read rules', () => {
  it('every object type has one, and every rule names a type of the schema', () => {
    const types = objectTypes().map((t) => t.name);
    expect(types.filter((t) => !READ_RULES[t])).toEqual([]);
    expect(Object.keys(READ_RULES).filter((t) => !types.includes(t))).toEqual([]);
    expect(Object.keys(OWN_ONLY).filter((t) => !types.includes(t))).toEqual([]);
    expect(types.length).toBeGreaterThan(70);
  });

  it('every role a root field admits may read what it returns', () => {
    const refused: string[] = [];
    for (const root of roots()) {
      for (const f of Object.values(root.getFields())) {
        const named = getNamedType(f.type);
        if (!isObjectType(named)) continue;
        const admitted = declaredRoles(root.name, f.name) ?? roles;
        for (const r of admitted.length ? roles.filter((x) => allows(admitted, x)) : []) if (!readers(named.name).includes(r)) refused.push(`${root.name}.${f.name} ${r}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('a field that can be refused to a reader of its parent is nullable, so the refusal nulls only that field', () => {
    const strict: string[] = [];
    for (const type of objectTypes()) {
      for (const f of Object.values(type.getFields())) {
        const named = getNamedType(f.type);
        if (!isObjectType(named) && !isAbstractType(named)) continue;
        const declared = declaredRoles(type.name, f.name);
        const byType = isObjectType(named) ? readers(named.name) : roles;
        const refusable = readers(type.name).some((r) => !byType.includes(r) || (declared && !allows(declared, r)));
        // An object-level rule refuses single objects; lists leave them out instead.
        const ownOnly = isObjectType(named) && OWN_ONLY[named.name] && readers(type.name).some((r) => OWN_ONLY_ROLES.includes(r))
          && !isListType(isNonNullType(f.type) ? f.type.ofType : f.type)
          // An edge holds an item of a page the query already filtered by the same rule (evidences: by writer).
          && !(type.name.endsWith('Edge') && f.name === 'node');
        if ((refusable || ownOnly) && isNonNullType(f.type)) strict.push(`${type.name}.${f.name}`);
      }
    }
    expect(strict).toEqual([]);
  });
});

describe('docs/roles.md', () => {
  it('lists every type with the roles that may read it', () => {
    const rows = new Map([...fs.readFileSync(path.join(projectRoot(), 'docs', 'roles.md'), 'utf8').matchAll(/^\| (\w+) \| ([A-Z][A-Z ,()a-z]+) \|$/gm)].filter((m) => m[1] !== 'Type').map((m) => [m[1], m[2]]));
    const order = [Role.VIEWER, Role.ANALYST, Role.EDITOR, Role.ADMIN, Role.INTEGRATOR];
    const expected = new Map(Object.entries(READ_RULES).map(([type, rule]) => [type,
      order.filter((r) => allows(rule, r)).map((r) => (OWN_ONLY[type] && OWN_ONLY_ROLES.includes(r) ? `${r} (only what it wrote)` : r)).join(', ')]));
    expect(rows).toEqual(expected);
  });

  it('lists every event type with the roles that receive it', () => {
    const doc = fs.readFileSync(path.join(projectRoot(), 'docs', 'roles.md'), 'utf8');
    const rows = new Map([...doc.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \| ([A-Z][A-Z ,]+) \|$/gm)].map((m) => [m[1], m[2]]));
    const order = [Role.VIEWER, Role.ANALYST, Role.EDITOR, Role.ADMIN, Role.INTEGRATOR];
    expect(rows).toEqual(new Map((Object.keys(EVENT_TYPES) as EventType[]).map((type) => [type, order.filter((r) => allows(EVENT_READ_RULES[type] ?? [], r)).join(', ')])));
  });
});
