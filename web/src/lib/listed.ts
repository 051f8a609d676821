// Dialogs that list what they act on, one line an item: a confirmation's
// content and the list itself (a dialog renders outside the page, so no
// scoped style reaches it).
import { h, type VNode } from 'vue'

const listStyle = { maxHeight: '320px', overflowY: 'auto', margin: '8px 0 0', paddingLeft: '18px', textAlign: 'left' } as const

/** listOf is a list of lines, keyed, scrolling past 320 px. */
export function listOf<T>(items: readonly T[], key: (item: T) => number | undefined, line: (item: T) => string): VNode {
  return h('ul', { style: listStyle }, items.map((it) => h('li', { key: key(it) }, line(it))))
}

/**
 * listedContent is a confirmation's content listing its items: an intro, a line each and, once it is at work, its
 * progress (null before), under data-test `<test>-list` and `<test>-progress`.
 */
export function listedContent<T>(test: string, intro: () => string, items: readonly T[], key: (item: T) => number | undefined, line: (item: T) => string, progress: () => string | null): () => VNode {
  return () => {
    const told = progress()
    return h('div', { 'data-test': `${test}-list` }, [h('p', intro()), listOf(items, key, line), told ? h('p', { 'data-test': `${test}-progress` }, told) : null])
  }
}
