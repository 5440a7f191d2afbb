import type { ApolloClient } from '@apollo/client';
import { nextTick } from 'vue';
import { createRouter, createWebHistory, START_LOCATION, type RouteRecordRaw, type Router } from 'vue-router';
import NotFoundPage from '@/components/NotFoundPage.vue';
import AppLayout from '@/layout/AppLayout.vue';
import { loadViewer } from '@/modules/auth/session';
import type { ModuleDefinition } from '@/modules/define-module';
import { modules } from '@/modules';

/** The console's routes, built from the registered modules, behind a sign-in guard. */
export function createAppRouter(client: ApolloClient): Router {
  const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    // A new page starts at the top; a change of query only (e.g. the open item) stays put.
    scrollBehavior: (to, from, saved) => saved ?? (to.path === from.path ? false : { top: 0 }),
    routes: [
      ...modules.filter((module) => module.public).flatMap(moduleRoutes),
      {
        path: '/',
        component: AppLayout,
        children: [
          ...modules.filter((module) => !module.public).flatMap(moduleRoutes),
          { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundPage, meta: { title: 'Not found' } },
        ],
      },
    ],
  });
  checkNavTargets(router);

  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    if (await loadViewer(client)) return true;
    return { name: 'sign-in', query: { redirect: to.fullPath } };
  });
  router.afterEach((to, from, failure) => {
    if (failure) return;
    document.title = to.meta.title ? `${to.meta.title} · SerialDesk` : 'SerialDesk';
    if (from !== START_LOCATION) void nextTick(focusMain);
  });

  return router;
}

function moduleRoutes(module: ModuleDefinition): RouteRecordRaw[] {
  return module.routes.map((route) => ({
    ...route,
    meta: {
      moduleId: module.id,
      title: module.name,
      public: module.public ?? false,
      roles: module.roles,
      ...route.meta,
    },
  }));
}

// After client-side navigation, move focus to the new page (unless the page focused a field
// itself), so keyboard and screen-reader users start at its content, not at the old link.
function focusMain(): void {
  const main = document.getElementById('main');
  if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

function checkNavTargets(router: Router): void {
  for (const module of modules) {
    if (module.navLabel && !router.hasRoute(module.id)) {
      throw new Error(`Module "${module.id}" has a navLabel but no route named "${module.id}"`);
    }
  }
}
