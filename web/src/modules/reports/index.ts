import { defineModule } from '../define-module';

export default defineModule({
  id: 'reports',
  name: 'Reports',
  navLabel: 'Reports',
  routes: [{ path: '/reports', name: 'reports', component: () => import('./pages/ReportsPage.vue') }],
});
