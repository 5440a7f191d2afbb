import { defineModule } from '../define-module';

export default defineModule({
  id: 'home',
  name: 'Home',
  routes: [{ path: '/', name: 'home', component: () => import('./pages/HomePage.vue') }],
});
