import { defineModule } from '../define-module';

export default defineModule({
  id: 'settings',
  name: 'Serialization settings',
  navLabel: 'Settings',
  roles: ['ADMIN', 'MERCHANDISER'],
  routes: [{ path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue') }],
});
