import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import router from './router'
import i18n, { applyLocale, currentLocale } from './i18n'
import { configureClient } from './api/client'
import { useSessionStore } from './stores/session'
import { showInfo } from './components/feedback'
import './styles.css'
import './styles/lists.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)

applyLocale(currentLocale())

configureClient({
  getLocale: currentLocale,
  onUnauthorized: () => {
    // The session ended (idle timeout, logout elsewhere): back to login, keeping the route.
    const session = useSessionStore(pinia)
    const wasLoggedIn = session.loggedIn
    session.clear()
    const cur = router.currentRoute.value
    if (cur.name === 'login') return
    if (wasLoggedIn) showInfo(i18n.global.t('auth.sessionExpired'))
    router.push({ name: 'login', query: { redirect: cur.fullPath } })
  },
})

app.mount('#app')
