import { describe, expect, it } from 'vitest'
import { buildTree } from './tree'

describe('buildTree', () => {
  it('nests children under parents on the page, keeps order, orphans stay on top', () => {
    const rows = [
      { id: 1, name: 'majordomo' },
      { id: 2, parent_id: 1, name: 'child a' },
      { id: 3, parent_id: 99, name: 'orphan' },
      { id: 4, parent_id: 1, name: 'child b' },
      { id: 5, parent_id: null, name: 'plain' },
    ]
    const tree = buildTree(rows)
    expect(tree.map((n) => n.key)).toEqual(['1', '3', '5'])
    expect(tree[0]?.children?.map((n) => n.key)).toEqual(['2', '4'])
    expect(tree[1]?.children).toBeUndefined()
  })
  it('does not loop on a row that names itself as parent', () => {
    expect(buildTree([{ id: 7, parent_id: 7 }]).map((n) => n.key)).toEqual(['7'])
  })
})
