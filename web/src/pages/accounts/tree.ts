// The accounts table shows majordomo and agent accounts with the children
// discovered under them. Rows of one page are nested by parent_id; a child
// whose parent is not on the page stays at the top level.

export interface TreeNode<T> {
  /** The advertiser id as a string (the table's row key). */
  key: string
  row: T
  children?: TreeNode<T>[]
}

export function buildTree<T extends { id?: number; parent_id?: number | null }>(rows: T[]): TreeNode<T>[] {
  const nodes = new Map<number, TreeNode<T>>()
  for (const r of rows) nodes.set(r.id ?? 0, { key: String(r.id ?? 0), row: r })
  const roots: TreeNode<T>[] = []
  for (const r of rows) {
    const node = nodes.get(r.id ?? 0)
    if (!node) continue
    const parent = r.parent_id ? nodes.get(r.parent_id) : undefined
    if (parent && parent !== node) (parent.children ??= []).push(node)
    else roots.push(node)
  }
  return roots
}
