import type { RouteRecordRaw } from 'vue-router';
import type { Role } from '@/gql/graphql';

/**
 * A console feature. Each feature folder's `index.ts` default-exports one, and
 * `modules/index.ts` lists them; the router and the top bar are built from that list.
 */
export interface ModuleDefinition {
  /** Stable id: the `nav-<id>` / `page-<id>` test hooks, and the name of the route the top bar links to. */
  id: string;
  /** What the module is called (page titles, "not available" notices). */
  name: string;
  /** Icon name, for when the top bar grows icons. */
  icon?: string;
  /** Paths are absolute (`/receiving`, `/receiving/:id`). With a `navLabel`, one route is named `id`. */
  routes: RouteRecordRaw[];
  /** Label of the module's link in the top bar; no link when absent. */
  navLabel?: string;
  /** Roles that may open the module (SEC-1); any signed-in user when absent. The server enforces it too. */
  roles?: readonly Role[];
  /** Shown without a session and outside the console layout (only the sign-in page). */
  public?: boolean;
}

export function defineModule(definition: ModuleDefinition): ModuleDefinition {
  return definition;
}

export function isAllowed(module: Pick<ModuleDefinition, 'roles'>, role: Role): boolean {
  return !module.roles || module.roles.includes(role);
}

declare module 'vue-router' {
  interface RouteMeta {
    /** Id of the module that owns the route. */
    moduleId?: string;
    /** Page title, before " · SerialDesk". */
    title?: string;
    /** No session needed. */
    public?: boolean;
    roles?: readonly Role[];
  }
}
