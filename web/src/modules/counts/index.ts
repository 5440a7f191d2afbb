import { defineModule } from '../define-module';

// CNT-1: clerks count; store managers also post the variances.
export default defineModule({
  id: 'counts',
  name: 'Cycle counts',
  navLabel: 'Counts',
  roles: ['ADMIN', 'STORE_MANAGER', 'CLERK'],
  routes: [
    { path: '/counts', name: 'counts', component: () => import('./pages/CountsPage.vue') },
    { path: '/counts/:id', name: 'count', component: () => import('./pages/CountPage.vue'), meta: { title: 'Cycle count' } },
  ],
});
