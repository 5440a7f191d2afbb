import { defineModule } from '../define-module';

export default defineModule({
  id: 'counts',
  name: 'Cycle counts',
  navLabel: 'Counts',
  roles: ['ADMIN', 'STORE_MANAGER', 'CLERK'],
  routes: [{ path: '/counts', name: 'counts', component: () => import('./pages/CountsPage.vue') }],
});
