// Preferences kept in localStorage (column choices), read defensively.
export function loadList(key: string, fallback: string[]): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key) ?? 'null')
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fallback
  } catch {
    return fallback
  }
}

export function saveList(key: string, v: string[]): void {
  localStorage.setItem(key, JSON.stringify(v))
}
