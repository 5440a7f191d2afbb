import { defineModule } from '../define-module';

export default defineModule({
  id: 'transfers',
  name: 'Transfers',
  navLabel: 'Transfers',
  roles: ['ADMIN', 'STORE_MANAGER', 'CLERK'],
  routes: [{ path: '/transfers', name: 'transfers', component: () => import('./pages/TransfersPage.vue') }],
});
