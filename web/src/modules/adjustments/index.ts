import { defineModule } from '../define-module';

// ADJ-1 and RTV-1: both take units out of (or into) one store's stock, line by line.
// SEC-1: stock corrections and returns to vendor are a store manager's work.
export default defineModule({
  id: 'adjustments',
  name: 'Adjustments',
  navLabel: 'Adjustments',
  roles: ['ADMIN', 'STORE_MANAGER'],
  routes: [
    { path: '/adjustments', name: 'adjustments', component: () => import('./pages/AdjustmentsPage.vue') },
    {
      path: '/adjustments/vendor-return',
      name: 'vendor-return',
      component: () => import('./pages/VendorReturnPage.vue'),
      meta: { title: 'Return to vendor' },
    },
  ],
});
