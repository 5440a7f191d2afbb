import { defineModule } from '../define-module';

export default defineModule({
  id: 'auth',
  name: 'Sign in',
  public: true,
  routes: [{ path: '/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue') }],
});
