// Downloads a file through the API client (so the request carries the
// session and is refreshed like any other) and hands it to the browser as a
// file: an export's file, the change log's CSV; saveFile hands over a file
// made in the page (recovery codes).
import { api, ApiError, errorOf, type ErrorBody } from '../api/client'

/** Fetched is what the API client answers for a file asked for as a blob. */
export type Fetched = { data?: unknown; error?: unknown; response: Response }

export function downloadExport(id: number, fileName: string): Promise<void> {
  return download(() => api.GET('/api/v1/reports/exports/{id}/download', { params: { path: { id } }, parseAs: 'blob' }), fileName)
}

/** download fetches a file and has the browser save it as fileName; a failure is thrown as an ApiError. */
export async function download(fetchFile: () => Promise<Fetched>, fileName: string): Promise<void> {
  let r: Fetched
  try {
    r = await fetchFile()
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e), '')
  }
  if (!r.response.ok || !(r.data instanceof Blob)) {
    throw errorOf(r.response, r.error as ErrorBody | undefined)
  }
  saveFile(r.data, fileName)
}

/** saveFile has the browser save blob as a file named fileName. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
