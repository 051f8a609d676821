// Names of the people an alert team or subscription is for.
import type { User } from '../../api/types'

/** userLabel names a user by display name and username ("王小丽 · wangxl"), or username alone. */
export function userLabel(u: User): string {
  const name = (u.display_name ?? '').trim()
  return name && name !== u.username ? `${name} · ${u.username}` : (u.username ?? `#${u.id}`)
}

/** memberNames names a team's members in its order, a user no longer listed by id. */
export function memberNames(ids: number[] | undefined, users: Map<number, User>): string[] {
  return (ids ?? []).map((id) => {
    const u = users.get(id)
    return u ? userLabel(u) : `#${id}`
  })
}
