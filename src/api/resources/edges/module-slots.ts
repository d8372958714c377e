/**
 * Module slots of an edge or route document: a create/PATCH body's module objects become
 * stored modules, stored modules read back (null when unset), and each module gets its own
 * `PUT/GET/DELETE <owner>/<module>` path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { ApiContext, ApiDeps } from '../../context.ts';
import { contextOf } from '../../context.ts';
import { notFound } from '../../errors.ts';
import type { ModuleOwner, ModuleSpec, StoredModule } from './modules/index.ts';

/** A document holding module slots by name; unset slots are null. */
export type ModuleSlots = Record<string, unknown>;

/** Body schema properties for create/PATCH: each module optional, null meaning absent. */
export function moduleProperties(modules: readonly ModuleSpec[]): Record<string, TSchema> {
  return Object.fromEntries(modules.map((m) => [m.name, Type.Optional(Type.Union([m.schema, Type.Null()]))]));
}

/** Every slot null: a new document's modules before the body fills some. */
export function emptySlots(modules: readonly ModuleSpec[]): Record<string, null> {
  return Object.fromEntries(modules.map((m) => [m.name, null]));
}

/**
 * The stored form of each module object present in `body`; absent (or null) ones are left
 * out, so spreading the result over a document replaces exactly the modules given. `previous`:
 * the document's slots before this write (what a module keeps across writes comes from there).
 */
export async function normalizeModules(
  modules: readonly ModuleSpec[],
  body: Record<string, unknown>,
  ctx: ApiContext,
  previous: ModuleSlots = {},
): Promise<Record<string, StoredModule>> {
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
  const names = new Set(modules.map((m) => m.name));
  return names.has('policy') && !names.has('traffic_policy') ? { ...read, traffic_policy: null } : read;
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
 * answers 200 `{}` whether or not it was set.
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
}
