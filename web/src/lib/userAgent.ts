// Names the browser and system of a session's User-Agent ("Chrome 131 ·
// Windows") for the sessions lists; the raw string stays in the tooltip.
// Order matters: Edge and the in-app browsers also say Chrome and Safari.

const browsers: [RegExp, string][] = [
  [/Lark\/([\d.]+)|Feishu\/([\d.]+)/, 'Feishu'],
  [/DingTalk\/([\d.]+)/, 'DingTalk'],
  [/wxwork\/([\d.]+)/, 'WeCom'],
  [/MicroMessenger\/([\d.]+)/, 'WeChat'],
  [/Edg(?:e|A|iOS)?\/([\d.]+)/, 'Edge'],
  [/OPR\/([\d.]+)/, 'Opera'],
  [/Firefox\/([\d.]+)/, 'Firefox'],
  [/(?:Chrome|CriOS|Chromium)\/([\d.]+)/, 'Chrome'],
  [/Version\/([\d.]+).*Safari\//, 'Safari'],
]

const systems: [RegExp, string][] = [
  [/Windows NT/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
]

/** "Chrome 131 · Windows"; the raw string (cut) when nothing is recognised, '' for none. */
export function describeUserAgent(ua: string | undefined): string {
  if (!ua) return ''
  let browser = ''
  for (const [re, name] of browsers) {
    const m = re.exec(ua)
    if (m) {
      const version = (m[1] ?? m[2] ?? '').split('.')[0]
      browser = version ? `${name} ${version}` : name
      break
    }
  }
  const system = systems.find(([re]) => re.test(ua))?.[1] ?? ''
  const parts = [browser, system].filter(Boolean)
  return parts.length ? parts.join(' · ') : ua.slice(0, 60)
}
