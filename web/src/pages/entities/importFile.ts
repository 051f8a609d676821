// 从文件导入: budgets or bids planned in a spreadsheet, one value per entity,
// read from a CSV file (Excel's: UTF-8 with or without BOM, GBK, or UTF-16
// "Unicode text"; comma- or tab-separated, quoted per RFC 4180) or from an
// Excel workbook, whose first sheet the API reads into rows of cells
// (POST /api/v1/imports/sheet). Each line is an entity id and its new value;
// what is wrong with a line is named by its line number (a workbook's row
// number), and the line is left out. The valid lines become the PlannedItems
// of a batch change, previewed by the API's dry run as any other.
import type { Entity } from '../../api/types'
import { isAmount } from '../../lib/format'
import type { T } from '../scheduled/schedule'
import type { PlannedItem } from './changes'
import { bidField, onOff, type BidField, type KindInfo } from './kinds'

export type ImportField = 'budget' | BidField

/** At most this many lines a file: as many rows as the API reads of a workbook; more than a batch takes are sent in parts. */
export const maxRows = 1000

/** What is wrong with a line (it is not imported). */
export type Problem =
  | { code: 'badId' | 'idRounded'; id: string }
  | { code: 'duplicate'; other: number }
  | { code: 'emptyValue' | 'noUnlimited' | 'notFound' | 'deleted' }
  | { code: 'badAmount'; value: string }
  | { code: 'wrongBid'; want: BidField }
  | { code: 'refused'; message: string }

/** A line of the file: its number (from 1, header and blank lines counted), the id and value as written. */
export interface ImportRow {
  line: number
  /** The id, 0 when it is not one. */
  id: number
  idText: string
  /** The value to send: yuan as written, or "unlimited". */
  value: string
  problem: Problem | null
}

/** What makes the whole file unusable. */
export type FileProblem = { code: 'empty' | 'notCsv' } | { code: 'tooMany'; n: number }

export interface Parsed {
  rows: ImportRow[]
  problem: FileProblem | null
}

/** What a value may be: the field's amounts, and for a budget "unlimited" where the kind allows it. */
export interface ValueRules {
  field: ImportField
  unlimited: boolean
}

/**
 * decode reads a file's bytes as text: UTF-16 with its BOM, else UTF-8 (a
 * BOM dropped) when the bytes are valid UTF-8, else GBK, as Excel in China
 * saves a CSV.
 */
export function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gbk').decode(bytes)
  }
}

interface Record_ {
  line: number
  cells: string[]
}

/** records splits text into records of cells (RFC 4180 quoting), each with the line it starts on. */
function records(text: string, sep: string): Record_[] {
  const out: Record_[] = []
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let start = 1
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else {
        if (c === '\n') line++
        cell += c
      }
    } else if (c === '"' && cell.trim() === '') {
      quoted = true
      cell = ''
    } else if (c === sep) {
      cells.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      cells.push(cell)
      out.push({ line: start, cells })
      cells = []
      cell = ''
      start = ++line
    } else cell += c
  }
  if (cell !== '' || cells.length) out.push({ line: start, cells: [...cells, cell] })
  return out
}

const numberRe = /^[+-]?\d+(\.\d+)?(e[+-]?\d+)?$/i
const unlimitedWords = ['不限', 'unlimited']

/**
 * parseText reads the lines of a file: the first two cells are the id and
 * the value; a first line whose first cell is not a number is a header;
 * blank lines are skipped. It never throws: what is wrong is in the rows'
 * problems or, for the whole file, in problem.
 */
export function parseText(text: string, rules: ValueRules): Parsed {
  // A binary file (a workbook, an image) decodes to NULs or replacement characters.
  if (/[\u0000\uFFFD]/.test(text)) return { rows: [], problem: { code: 'notCsv' } }
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? ''
  return parseRecords(records(text.replace(/^\uFEFF/, ''), firstLine.includes('\t') ? '\t' : ','), rules)
}

/**
 * parseSheet reads a workbook's rows as the API answers them (rows[i] is
 * row i+1, up to a header and maxRows lines, the blank rows among them
 * empty; valueRows counts the sheet's rows holding a value, beyond those
 * answered too), as parseText reads a file's lines. A sheet of more lines
 * is refused, its lines counted as the rows holding a value but the header.
 */
export function parseSheet(rows: string[][], valueRows: number, rules: ValueRules): Parsed {
  const records = rows.map((cells, i) => ({ line: i + 1, cells }))
  const lines = lineRecords(records)
  const n = valueRows - (records.filter(holdsValue).length - lines.length)
  if (n > maxRows) return { rows: [], problem: { code: 'tooMany', n } }
  return parseLines(lines, rules)
}

/** isWorkbook tells an Excel workbook (.xlsx, a zip archive) from a text file. */
export function isWorkbook(name: string, bytes: Uint8Array): boolean {
  return /\.xlsx$/i.test(name) || (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
}

/** parseRecords checks records of cells: the header, blank lines, the limit, then each line. */
const holdsValue = (r: Record_) => r.cells.some((c) => c.trim() !== '')

/** lineRecords are the records that are lines: not blank, and not the header (a first one whose id is no number). */
function lineRecords(all: Record_[]): Record_[] {
  const recs = all.filter(holdsValue)
  return recs.length && !numberRe.test(recs[0]?.cells[0]?.trim() ?? '') ? recs.slice(1) : recs
}

function parseRecords(all: Record_[], rules: ValueRules): Parsed {
  return parseLines(lineRecords(all), rules)
}

/** parseLines checks the lines of a file (its records but the header and the blank ones). */
function parseLines(recs: Record_[], rules: ValueRules): Parsed {
  const refuse = (problem: FileProblem): Parsed => ({ rows: [], problem })
  if (!recs.length) return refuse({ code: 'empty' })
  if (recs.every((r) => r.cells.length < 2)) return refuse({ code: 'notCsv' })
  if (recs.length > maxRows) return refuse({ code: 'tooMany', n: recs.length })

  const rows = recs.map(({ line, cells }): ImportRow => {
    const idText = (cells[0] ?? '').trim()
    const raw = (cells[1] ?? '').trim()
    const unlimited = rules.field === 'budget' && unlimitedWords.includes(raw.toLowerCase())
    const id = /^\d+$/.test(idText) && Number.isSafeInteger(Number(idText)) ? Number(idText) : 0
    const row: ImportRow = { line, id, idText, value: unlimited ? 'unlimited' : raw, problem: null }
    if (id <= 0) row.problem = { code: /^\d(\.\d+)?e\+\d+$/i.test(idText) ? 'idRounded' : 'badId', id: idText }
    else if (raw === '') row.problem = { code: 'emptyValue' }
    else if (unlimited && !rules.unlimited) row.problem = { code: 'noUnlimited' }
    else if (!unlimited && !isAmount(raw)) row.problem = { code: 'badAmount', value: raw }
    return row
  })
  // The same id twice: neither line is taken, there is no telling which value was meant.
  const first = new Map<number, ImportRow>()
  for (const r of rows) {
    if (r.id <= 0) continue
    const f = first.get(r.id)
    if (!f) first.set(r.id, r)
    else {
      r.problem = { code: 'duplicate', other: f.line }
      if (f.problem?.code !== 'duplicate') f.problem = { code: 'duplicate', other: r.line }
    }
  }
  return { rows, problem: null }
}

/** parseFile is parseText of a file's bytes. */
export function parseFile(bytes: Uint8Array, rules: ValueRules): Parsed {
  return parseText(decode(bytes), rules)
}

/** idsToRead are the ids of the rows worth reading from the API (those with a problem of their own are not). */
export function idsToRead(rows: ImportRow[]): number[] {
  return rows.filter((r) => !r.problem).map((r) => r.id)
}

/**
 * checkFound names what the entities read back tell about the rows: an id
 * the API did not return (absent, or outside the caller's scope), a deleted
 * entity, and for ads the bid field their pricing takes.
 */
export function checkFound(rows: ImportRow[], found: ReadonlyMap<number, Entity>, k: KindInfo, field: ImportField): ImportRow[] {
  return rows.map((r) => {
    if (r.problem) return r
    const e = found.get(r.id)
    if (!e) return { ...r, problem: { code: 'notFound' } }
    if (onOff(k, e) === 'delete') return { ...r, problem: { code: 'deleted' } }
    const want = bidField(k, e)
    if (field !== 'budget' && want && want !== field) return { ...r, problem: { code: 'wrongBid', want } }
    return r
  })
}

/** withRefusals marks the rows the API's dry run refused (by entity id), with its message. */
export function withRefusals(rows: ImportRow[], refused: ReadonlyMap<number, string>): ImportRow[] {
  return rows.map((r) => {
    const message = r.problem ? undefined : refused.get(r.id)
    return message === undefined ? r : { ...r, problem: { code: 'refused', message } }
  })
}

/** plannedOf are the rows without a problem as a batch's items, each with its own value, in the file's order. */
export function plannedOf(rows: ImportRow[]): PlannedItem[] {
  return rows.filter((r) => !r.problem).map((r) => ({ id: r.id, value: r.value }))
}

/** problemText says a row's problem in the operator's language (entities.import.problems). */
export function problemText(p: Problem, field: ImportField, t: T): string {
  if (p.code === 'refused') return p.message
  const params: Record<string, unknown> = { ...p, field: t(`change.fields.${field}`) }
  if (p.code === 'wrongBid') params.want = t(`change.fields.${p.want}`)
  return t(`entities.import.problems.${p.code}`, params)
}

/** csvText is a CSV file Excel opens as UTF-8 (with a BOM), lines ended by CRLF, cells quoted where needed. */
export function csvText(lines: string[][]): string {
  const cell = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)
  return '\uFEFF' + lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n'
}

/** templateLines are a template's header and two example lines of a field (the second "不限" where a budget may be). */
export function templateLines(header: [string, string], rules: ValueRules): string[][] {
  const examples: Record<ImportField, [string, string]> = { budget: ['500', '1200.50'], bid: ['1.20', '0.85'], cpa_bid: ['35', '42.50'] }
  const [a, b] = examples[rules.field]
  return [header, ['1790000000000001', a], ['1790000000000002', rules.field === 'budget' && rules.unlimited ? '不限' : b]]
}
