// vue-i18n with 简体中文 by default and English; the choice is remembered.
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import enUS from './en-US'

export type Locale = 'zh-CN' | 'en-US'
const key = 'oceanops.locale'

export function savedLocale(): Locale {
  return localStorage.getItem(key) === 'en-US' ? 'en-US' : 'zh-CN'
}

export function saveLocale(l: Locale): void {
  localStorage.setItem(key, l)
  document.documentElement.lang = l
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, 'en-US': enUS },
})
