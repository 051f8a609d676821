// The signed-in session: tokens, the user and their permissions. Tokens are
// kept in localStorage so a reload or a new tab stays signed in; the access
// token is refreshed silently before it expires and after a 401.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, call } from '../api/client'
import type { Principal, TokenPair } from '../api/types'

const storageKey = 'oceanops.session'

interface Stored {
  accessToken: string
  refreshToken: string
  accessExpiresAt: string
  user: Principal
}

function load(): Stored | null {
  try {
    const raw = localStorage.getItem(storageKey)
    return raw ? (JSON.parse(raw) as Stored) : null
  } catch {
    return null
  }
}

export const useSession = defineStore('session', () => {
  const stored = load()
  const accessToken = ref(stored?.accessToken ?? '')
  const refreshToken = ref(stored?.refreshToken ?? '')
  const accessExpiresAt = ref(stored?.accessExpiresAt ?? '')
  const user = ref<Principal | null>(stored?.user ?? null)
  /** Why the last session ended ('expired' after a failed refresh), for the sign-in page. */
  const endReason = ref<'' | 'expired' | 'signed_out'>('')
  let refreshing: Promise<boolean> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined

  const signedIn = computed(() => accessToken.value !== '' && user.value !== null)
  const permissions = computed(() => new Set(user.value?.permissions ?? []))
  /** An admin set the password and asked for a new one: nothing else works until it is changed. */
  const mustChangePassword = computed(() => user.value?.must_change_password === true)
  /** One of the user's roles requires two-step verification and it is off: nothing else works until it is on. */
  const mustEnableMfa = computed(() => user.value?.must_enable_mfa === true)

  function can(perm: string): boolean {
    return permissions.value.has(perm)
  }

  function persist(): void {
    if (!accessToken.value || !user.value) {
      localStorage.removeItem(storageKey)
      return
    }
    const s: Stored = {
      accessToken: accessToken.value,
      refreshToken: refreshToken.value,
      accessExpiresAt: accessExpiresAt.value,
      user: user.value,
    }
    localStorage.setItem(storageKey, JSON.stringify(s))
  }

  // Refresh a minute before the access token expires, so requests rarely
  // meet a 401; a page opened inside that minute refreshes at once.
  function schedule(): void {
    clearTimeout(timer)
    const at = Date.parse(accessExpiresAt.value)
    if (!refreshToken.value || Number.isNaN(at)) return
    const wait = Math.max(at - Date.now() - 60_000, 0)
    timer = setTimeout(() => void refresh(), Math.min(wait, 2 ** 31 - 1))
  }

  function accept(p: TokenPair): void {
    accessToken.value = p.access_token ?? ''
    refreshToken.value = p.refresh_token ?? ''
    accessExpiresAt.value = p.access_expires_at ?? ''
    if (p.user) user.value = p.user
    endReason.value = ''
    persist()
    schedule()
  }

  function clear(reason: '' | 'expired' | 'signed_out'): void {
    clearTimeout(timer)
    accessToken.value = ''
    refreshToken.value = ''
    accessExpiresAt.value = ''
    user.value = null
    endReason.value = reason
    persist()
  }

  /** login signs in with a password; with two-step verification on it throws 401 mfa_required with the code step's token. */
  async function login(username: string, password: string): Promise<void> {
    accept(await call(api.POST('/api/v1/auth/login', { body: { username, password } })))
  }

  /** loginMfa finishes a sign-in with the code step's token and a code (or a recovery code). */
  async function loginMfa(mfaToken: string, code: string): Promise<void> {
    accept(await call(api.POST('/api/v1/auth/login/mfa', { body: { mfa_token: mfaToken, code } })))
  }

  // adopt takes over a session another tab stored (a rotated pair, or none).
  function adopt(st: Stored | null): void {
    if (!st) {
      if (accessToken.value) clear('signed_out')
      return
    }
    accessToken.value = st.accessToken
    refreshToken.value = st.refreshToken
    accessExpiresAt.value = st.accessExpiresAt
    user.value = st.user
    schedule()
  }

  async function rotate(token: string): Promise<boolean> {
    // Another tab may have rotated the pair already: a refresh token works
    // once, and presenting a used one would end the whole session.
    const stored = load()
    if (stored && stored.refreshToken !== token) {
      adopt(stored)
      return true
    }
    try {
      accept(await call(api.POST('/api/v1/auth/refresh', { body: { refresh_token: token } })))
      return true
    } catch {
      return false
    }
  }

  /**
   * refresh rotates the token pair once, however many callers ask at the
   * same time, in this tab and (through a Web Lock) in the user's other tabs.
   */
  function refresh(): Promise<boolean> {
    if (!refreshing) {
      const token = refreshToken.value
      refreshing = (async () => {
        if (!token) return false
        try {
          if (navigator.locks) return await navigator.locks.request('oceanops.refresh', () => rotate(token))
          return await rotate(token)
        } finally {
          refreshing = null
        }
      })()
    }
    return refreshing
  }

  // Follow sign-ins, refreshes and sign-outs of the user's other tabs.
  window.addEventListener('storage', (e) => {
    if (e.key === storageKey) adopt(load())
  })

  async function logout(): Promise<void> {
    try {
      await call(api.POST('/api/v1/auth/logout'))
    } catch {
      // The session ends locally either way.
    }
    clear('signed_out')
  }

  function expired(): void {
    if (accessToken.value) clear('expired')
  }

  /** The user set their own password: the API answers them in full again. */
  function passwordChanged(): void {
    if (!user.value) return
    user.value = { ...user.value, must_change_password: false }
    persist()
  }

  /** Two-step verification was turned on or off here: the API answers them in full again once it is on. */
  function mfaChanged(enabled: boolean): void {
    if (!user.value) return
    user.value = { ...user.value, mfa_enabled: enabled, must_enable_mfa: enabled ? false : user.value.must_enable_mfa }
    persist()
  }

  let reloading: Promise<void> | null = null
  /**
   * reloadUser reads the signed-in user again (/auth/me), once however many
   * callers ask at the same time: the API refused a request until the user
   * acts (a role now requires two-step verification, an admin reset it), so
   * the flags kept since sign-in are out of date.
   */
  function reloadUser(): Promise<void> {
    reloading ??= (async () => {
      try {
        const me = await call(api.GET('/api/v1/auth/me'))
        if (accessToken.value && me) {
          user.value = me
          persist()
        }
      } catch {
        // Signed out meanwhile, or the API is down: the next refusal asks again.
      } finally {
        reloading = null
      }
    })()
    return reloading
  }

  schedule()
  return {
    accessToken, user, signedIn, mustChangePassword, mustEnableMfa, endReason, can, login, loginMfa, refresh, logout, expired, passwordChanged,
    mfaChanged, reloadUser,
  }
})
