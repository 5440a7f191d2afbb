import { defineModule } from '../define-module';

export default defineModule({
  id: 'adjustments',
  name: 'Adjustments',
  navLabel: 'Adjustments',
  roles: ['ADMIN', 'STORE_MANAGER'],
  routes: [{ path: '/adjustments', name: 'adjustments', component: () => import('./pages/AdjustmentsPage.vue') }],
});
