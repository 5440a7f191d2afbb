import { defineModule } from '../define-module';

export default defineModule({
  id: 'receiving',
  name: 'Receiving',
  navLabel: 'Receiving',
  roles: ['ADMIN', 'STORE_MANAGER', 'CLERK'],
  routes: [
    { path: '/receiving', name: 'receiving', component: () => import('./pages/ReceivingPage.vue') },
    { path: '/receiving/:id', name: 'receipt', component: () => import('./pages/ReceiptPage.vue'), meta: { title: 'Receipt' } },
  ],
});
