import { defineModule } from '../define-module';

// The point-of-sale side (SAL-1..5, RET-1): the register, and returns as a tab beside it.
export default defineModule({
  id: 'sales',
  name: 'Register',
  navLabel: 'Register',
  roles: ['ADMIN', 'STORE_MANAGER', 'CLERK'],
  routes: [
    { path: '/register', name: 'sales', component: () => import('./pages/RegisterPage.vue') },
    { path: '/returns', name: 'returns', component: () => import('./pages/ReturnsPage.vue'), meta: { title: 'Returns' } },
  ],
});
