// Routes are lazy: each page is its own chunk, loaded when first visited.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSession } from './stores/session'
import { Message } from '@arco-design/web-vue'
import { i18n } from './i18n'
import { Perm } from './lib/permissions'

declare module 'vue-router' {
  interface RouteMeta {
    /** The page works without a session. */
    public?: boolean
    /** Permission needed to see the page. */
    perm?: string
    /** i18n key of the page title. */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/login/LoginPage.vue'), meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: () => import('./components/AppLayout.vue'),
    children: [
      { path: '', redirect: { name: 'dashboard' } },
      { path: 'dashboard', name: 'dashboard', component: () => import('./pages/dashboard/DashboardPage.vue'), meta: { perm: Perm.ReportRead, title: 'nav.dashboard' } },
      { path: 'accounts', name: 'accounts', component: () => import('./pages/accounts/AccountsPage.vue'), meta: { perm: Perm.AdvertiserRead, title: 'nav.accounts' } },
      { path: 'clients', name: 'clients', component: () => import('./pages/clients/ClientsPage.vue'), meta: { perm: Perm.AdvertiserRead, title: 'nav.clients' } },
      ...(['campaigns', 'ads', 'projects', 'promotions'] as const).map((kind) => ({
        path: kind,
        name: kind,
        component: () => import('./pages/entities/EntitiesPage.vue'),
        props: { kind },
        meta: { perm: Perm.AdvertiserRead, title: `nav.${kind}` },
      })),
      { path: 'changes', name: 'changes', component: () => import('./pages/changes/ChangesPage.vue'), meta: { perm: Perm.AdvertiserRead, title: 'nav.changes' } },
      { path: 'scheduled', name: 'scheduled', component: () => import('./pages/scheduled/ScheduledPage.vue'), meta: { perm: Perm.AdvertiserRead, title: 'nav.scheduled' } },
      { path: 'reports', name: 'reports', component: () => import('./pages/reports/ReportsPage.vue'), meta: { perm: Perm.ReportRead, title: 'nav.reports' } },
      { path: 'exports', name: 'exports', component: () => import('./pages/exports/ExportsPage.vue'), meta: { perm: Perm.ReportExport, title: 'nav.exports' } },
      { path: 'users', name: 'users', component: () => import('./pages/users/UsersPage.vue'), meta: { perm: Perm.UserManage, title: 'nav.users' } },
      { path: 'audit', name: 'audit', component: () => import('./pages/audit/AuditPage.vue'), meta: { perm: Perm.AuditRead, title: 'nav.audit' } },
      { path: 'guardrails', name: 'guardrails', component: () => import('./pages/guardrails/GuardrailsPage.vue'), meta: { perm: Perm.UserManage, title: 'nav.guardrails' } },
      { path: 'system', name: 'system', component: () => import('./pages/system/SystemPage.vue'), meta: { perm: Perm.AdvertiserRead, title: 'nav.system' } },
      { path: 'rules', name: 'rules', component: () => import('./pages/rules/RulesPage.vue'), meta: { perm: Perm.RuleRead, title: 'nav.rules' } },
      { path: 'rules/new', name: 'rule-new', component: () => import('./pages/rules/RuleEditPage.vue'), meta: { perm: Perm.RuleWrite, title: 'rules.newTitle' } },
      { path: 'rules/:id(\\d+)', name: 'rule', component: () => import('./pages/rules/RuleDetailPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { perm: Perm.RuleRead, title: 'nav.rules' } },
      { path: 'rules/:id(\\d+)/edit', name: 'rule-edit', component: () => import('./pages/rules/RuleEditPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { perm: Perm.RuleWrite, title: 'nav.rules' } },
      { path: 'alerts', name: 'alerts', component: () => import('./pages/alerts/AlertsPage.vue'), meta: { perm: Perm.AlertRead, title: 'nav.alerts' } },
      { path: 'alerts/channels', name: 'alert-channels', component: () => import('./pages/alerts/ChannelsPage.vue'), meta: { perm: Perm.AlertSubscribe, title: 'nav.alert-channels' } },
      { path: 'alerts/subscriptions', name: 'alert-subscriptions', component: () => import('./pages/alerts/SubscriptionsPage.vue'), meta: { perm: Perm.AlertSubscribe, title: 'nav.alert-subscriptions' } },
      { path: 'alerts/teams', name: 'alert-teams', component: () => import('./pages/alerts/TeamsPage.vue'), meta: { perm: Perm.AlertManage, title: 'nav.alert-teams' } },
      { path: 'alerts/thresholds', name: 'alert-thresholds', component: () => import('./pages/alerts/ThresholdsPage.vue'), meta: { perm: Perm.AlertRead, title: 'nav.alert-thresholds' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue') },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  const session = useSession()
  if (to.meta.public) return true
  if (!session.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  if (to.meta.perm && !session.can(to.meta.perm)) {
    if (to.name === 'accounts') return { name: 'not-found', params: { rest: [] } }
    // A page the user may not see (an admin page for a non-admin): back to the accounts, saying why.
    Message.warning(i18n.global.t('errors.noAccess'))
    return { name: 'accounts' }
  }
  return true
})
