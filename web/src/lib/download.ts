// Downloads an export's file through the API client (so the request carries
// the session and is refreshed like any other) and hands it to the browser
// as a file; saveFile hands over a file made in the page (recovery codes).
import { api, ApiError, errorOf, type ErrorBody } from '../api/client'

export async function downloadExport(id: number, fileName: string): Promise<void> {
  let r: Awaited<ReturnType<typeof fetchFile>>
  try {
    r = await fetchFile(id)
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

function fetchFile(id: number) {
  return api.GET('/api/v1/reports/exports/{id}/download', { params: { path: { id } }, parseAs: 'blob' })
}
