/**
 * Module slots of an edge or route document: a create/PATCH body's module objects become
 * stored modules, stored modules read back (null when unset), and each module gets its own
 * `PUT/GET/DELETE <owner>/<module>` path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { contextOf } from '../../context.ts';
import { ApiError, invalid, notFound } from '../../errors.ts';
import { moduleNames, type ModuleOwner, type ModuleSpec, type StoredModule } from './modules/index.ts';
import { Enabled, OptionalString } from './modules/module-spec.ts';

/** A document holding module slots by name; unset slots are null. */
export type ModuleSlots = Record<string, unknown>;

/**
 * ngrok's newer name of the traffic policy module (`{enabled, value}`), beside `policy` (API
 * 0.11.0's) wherever an owner has that. Portico runs no Traffic Policy: it reads null, and a
 * write that would switch it on is refused.
 */
const trafficPolicy = 'traffic_policy';
const TrafficPolicy = Type.Object({ enabled: Enabled, value: OptionalString });

/** Whether `modules` (an owner's registry) carries a `traffic_policy` slot beside `policy`. */
function hasTrafficPolicy(modules: readonly ModuleSpec[]): boolean {
  return modules.some((m) => m.name === 'policy') && !modules.some((m) => m.name === trafficPolicy);
}

/** Body schema properties for create/PATCH: each module optional, null meaning absent. */
export function moduleProperties(modules: readonly ModuleSpec[]): Record<string, TSchema> {
  const properties = Object.fromEntries(
    modules.map((m) => [m.name, Type.Optional(Type.Union([m.schema, Type.Null()]))]),
  );
  return hasTrafficPolicy(modules)
    ? { ...properties, [trafficPolicy]: Type.Optional(Type.Union([TrafficPolicy, Type.Null()])) }
    : properties;
}

/** Refuses a `traffic_policy` that is not switched off: nothing here would run it. */
function refuseTrafficPolicy(value: unknown, field: string): void {
  if (value === null || value === undefined || (value as { enabled?: unknown }).enabled === false) return;
  throw new ApiError(
    ErrorCode.ERR_MODULE_NOT_ENFORCED,
    `${field}: Traffic Policy is not enforced by this edge; leave traffic_policy out, or send null or {"enabled": false}`,
    { field },
  );
}

/**
 * Refuses module objects this owner would not keep: a switched-on `traffic_policy`, and a
 * module ngrok names that this owner does not have (`ip_restriction` on an HTTPS edge, whose
 * routes have it). Fields that are no module name stay ignored (Terraform's legacy fields).
 */
function refuseUnservedModules(modules: readonly ModuleSpec[], body: Record<string, unknown>): void {
  const own = new Set(modules.map((m) => m.name));
  if (hasTrafficPolicy(modules)) {
    own.add(trafficPolicy);
    refuseTrafficPolicy(body[trafficPolicy], trafficPolicy);
  }
  const foreign = [...moduleNames].find((name) => !own.has(name) && body[name] !== undefined && body[name] !== null);
  if (foreign)
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      foreign,
      `this resource has no ${foreign} module (its modules: ${[...own].join(', ')}); an HTTPS edge takes route modules on its routes`,
    );
}

/** Every slot null: a new document's modules before the body fills some. */
export function emptySlots(modules: readonly ModuleSpec[]): Record<string, null> {
  return Object.fromEntries(modules.map((m) => [m.name, null]));
}

/**
 * The stored form of each module object present in `body`; absent (or null) ones are left
 * out, so spreading the result over a document replaces exactly the modules given. Module
 * objects the owner would not keep are refused first. `previous`: the document's slots before
 * this write (what a module keeps across writes comes from there).
 */
export async function normalizeModules(
  modules: readonly ModuleSpec[],
  body: Record<string, unknown>,
  ctx: ApiContext,
  previous: ModuleSlots = {},
): Promise<Record<string, StoredModule>> {
  refuseUnservedModules(modules, body);
  const out: Record<string, StoredModule> = {};
  for (const m of modules) {
    const value = body[m.name];
    if (value !== undefined && value !== null) {
      const next = await m.normalize(value as Record<string, unknown>, ctx, m.name);
      out[m.name] = m.carry(next, previous[m.name] as StoredModule | null | undefined);
    }
  }
  return out;
}

/**
 * The read shape of every slot, in registry order: a module's read shape or null. Where the
 * registry has `policy` (API 0.11.0's name), ngrok's newer `traffic_policy` slot is present
 * too, null, so clients reading ngrok's current shape find it (the module is its own issue).
 */
export function readModules(
  modules: readonly ModuleSpec[],
  slots: ModuleSlots,
  owner: ModuleOwner,
): Record<string, unknown> {
  const read = Object.fromEntries(
    modules.map((m) => [m.name, slots[m.name] ? m.read(slots[m.name] as StoredModule, owner) : null]),
  );
  return hasTrafficPolicy(modules) ? { ...read, [trafficPolicy]: null } : read;
}

/** One owner of module slots as loaded for a request (404 is thrown while loading). */
export interface SlotHost {
  slots: ModuleSlots;
  owner: ModuleOwner;
  /** Stores the owner with `slots` changed. */
  save(slots: ModuleSlots): Promise<void>;
}

/**
 * Registers `PUT`, `GET` and `DELETE` on `${ownerPath}/<module>` for each module. PUT replaces
 * the module and answers 200 with its read shape; GET of an unset module is 404; DELETE
 * answers 200 `{}` whether or not it was set. Beside `policy`, `traffic_policy` gets its paths
 * too (registerTrafficPolicyPaths).
 */
export function registerModulePaths(
  app: FastifyInstance,
  deps: ApiDeps,
  ownerPath: string,
  modules: readonly ModuleSpec[],
  load: (ctx: ApiContext, req: FastifyRequest) => Promise<SlotHost>,
): void {
  for (const m of modules) {
    const path = `${ownerPath}/${m.name}`;
    app.put(path, { schema: { body: m.schema } }, async (req) => {
      const ctx = contextOf(req, deps);
      const host = await load(ctx, req);
      const next = await m.normalize(req.body as Record<string, unknown>, ctx, '');
      const stored = m.carry(next, host.slots[m.name] as StoredModule | null | undefined);
      await host.save({ ...host.slots, [m.name]: stored });
      return m.read(stored, host.owner);
    });
    app.get(path, async (req) => {
      const host = await load(contextOf(req, deps), req);
      const stored = host.slots[m.name] as StoredModule | null | undefined;
      if (!stored) throw notFound(`Module ${m.name}`);
      return m.read(stored, host.owner);
    });
    app.delete(path, async (req) => {
      const host = await load(contextOf(req, deps), req);
      if (host.slots[m.name]) await host.save({ ...host.slots, [m.name]: null });
      return {};
    });
  }
  if (hasTrafficPolicy(modules)) registerTrafficPolicyPaths(app, deps, ownerPath, load);
}

/**
 * `PUT/GET/DELETE <owner>/traffic_policy`, for clients of ngrok's newer API. Never set: PUT
 * switching it on is refused (ERR_MODULE_NOT_ENFORCED), PUT switching it off stores nothing
 * and answers the switched-off module, GET is the 404 of an unset module, DELETE a no-op.
 */
function registerTrafficPolicyPaths(
  app: FastifyInstance,
  deps: ApiDeps,
  ownerPath: string,
  load: (ctx: ApiContext, req: FastifyRequest) => Promise<SlotHost>,
): void {
  const path = `${ownerPath}/${trafficPolicy}`;
  app.put(path, { schema: { body: TrafficPolicy } }, async (req) => {
    await load(contextOf(req, deps), req);
    refuseTrafficPolicy(req.body, trafficPolicy);
    return { enabled: false, value: (req.body as { value?: string | null }).value ?? '' };
  });
  app.get(path, async (req) => {
    await load(contextOf(req, deps), req);
    throw notFound(`Module ${trafficPolicy} (this edge runs no Traffic Policy, so it is never set)`);
  });
  app.delete(path, async (req) => {
    await load(contextOf(req, deps), req);
    return {};
  });
}
