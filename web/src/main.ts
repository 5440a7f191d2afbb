import { createApp } from 'vue';
import App from './App.vue';
import { createApollo } from './apollo';
import { apolloClientKey, connectionKey } from './composables/use-apollo';
import { endSession } from './modules/auth/session';
import { createAppRouter } from './router';
import './styles.css';
import './components/scan.css';

const { client, connection } = createApollo({
  // The session expired or was revoked: back to sign-in, then return to this page.
  onUnauthenticated: () => void endSession(client, router, { comeBack: true }),
});
const router = createAppRouter(client);

createApp(App).provide(apolloClientKey, client).provide(connectionKey, connection).use(router).mount('#app');
