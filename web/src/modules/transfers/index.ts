import { defineModule } from '../define-module';

export default defineModule({
  id: 'transfers',
  name: 'Transfers',
  navLabel: 'Transfers',
  roles: ['ADMIN', 'STORE_MANAGER', 'CLERK'],
  routes: [
    { path: '/transfers', name: 'transfers', component: () => import('./pages/TransfersPage.vue') },
    { path: '/transfers/:id', name: 'transfer', component: () => import('./pages/TransferPage.vue'), meta: { title: 'Transfer' } },
  ],
});
