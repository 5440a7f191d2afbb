import { defineModule } from '../define-module';

// Serial reports (REP-1..4), for every role: the server limits each to the viewer's stores (SEC-2).
export default defineModule({
  id: 'reports',
  name: 'Reports',
  navLabel: 'Reports',
  routes: [
    {
      path: '/reports',
      component: () => import('./pages/ReportsLayout.vue'),
      children: [
        // The default report is the history; `/reports` shows it without a redirect, so a
        // bookmark or sign-in return to `/reports` stays what it was.
        {
          path: 'history',
          alias: '',
          name: 'reports',
          component: () => import('./pages/HistoryPage.vue'),
          meta: { title: 'Serial number history' },
        },
        { path: 'on-hand', name: 'report-on-hand', component: () => import('./pages/OnHandPage.vue'), meta: { title: 'Serials on hand' } },
        { path: 'trace', name: 'report-trace', component: () => import('./pages/TracePage.vue'), meta: { title: 'Trace a serial' } },
        {
          path: 'document',
          name: 'report-document',
          component: () => import('./pages/DocumentPage.vue'),
          meta: { title: 'Document inquiry' },
        },
      ],
    },
  ],
});
