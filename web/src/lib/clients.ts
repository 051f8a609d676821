// The clients (the agency's grouping of accounts), for pickers and filters.
import { api, call } from '../api/client'
import type { Client } from '../api/types'

/** loadClients reads every client by name, each with its accounts in the caller's scope. */
export function loadClients(): Promise<Client[]> {
  return call(api.GET('/api/v1/clients'))
}

/** noClient is the filter value of the accounts that belong to no client. */
export const noClient = 0
