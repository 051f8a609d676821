// A page's 导出 CSV: the API's file of what the page's filters select (not
// only the rows shown), saved as <prefix>_<Beijing date>.csv; a refusal (too
// many rows: narrow the filters) is told as any error.
import { ref, type Ref } from 'vue'
import { beijingDate } from './beijing'
import { download, type Fetched } from './download'
import { useErrorMessage } from './useErrorMessage'

export function useCsvExport(prefix: string, fetchFile: () => Promise<Fetched>): { exporting: Ref<boolean>; run: () => Promise<void> } {
  const exporting = ref(false)
  const showError = useErrorMessage()
  async function run(): Promise<void> {
    exporting.value = true
    try {
      await download(fetchFile, `${prefix}_${beijingDate(Date.now()).replaceAll('-', '')}.csv`)
    } catch (e) {
      showError(e)
    } finally {
      exporting.value = false
    }
  }
  return { exporting, run }
}
