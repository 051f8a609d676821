import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { installArco } from './arco'
import { bindAuth, bindFieldText, bindReasonText } from './api/client'
import { fieldText } from './lib/fieldText'
import { reasonText } from './lib/reasonText'
import { i18n } from './i18n'
import { router } from './router'
import { useSession } from './stores/session'
import './styles.css'

const app = createApp(App)
app.use(createPinia())
installArco(app)
app.use(i18n)

const session = useSession()
bindAuth({
  accessToken: () => session.accessToken || null,
  refresh: () => session.refresh(),
  expired: () => {
    session.expired()
    void router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } })
  },
  blocked: () => void session.reloadUser(),
})
bindFieldText((f) => fieldText(f, i18n.global))
bindReasonText((e) => reasonText(e, i18n.global))
app.use(router)
// Signed out here or in another tab: back to the sign-in page.
watch(
  () => session.signedIn,
  (signedIn) => {
    const current = router.currentRoute.value
    if (!signedIn && !current.meta.public) void router.push({ name: 'login', query: { redirect: current.fullPath } })
  },
)
app.mount('#app')
