// Every user, for the pickers and names of pages that show users whole.

import { api, call } from '../api/client'
import type { User } from '../api/types'
import { allPages } from './allPages'

/** loadUsers reads every user, page after page. */
export function loadUsers(): Promise<User[]> {
  return allPages<User>((page) => call(api.GET('/api/v1/users', { params: { query: { page, page_size: 200 } } })))
}
