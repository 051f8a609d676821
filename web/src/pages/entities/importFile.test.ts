import { describe, expect, it } from 'vitest'
import type { Entity } from '../../api/types'
import { batchBodyOf } from './changes'
import { checkFound, csvText, decode, idsToRead, isWorkbook, maxRows, parseFile, parseSheet, parseText, plannedOf, problemText, templateLines, withRefusals, type ImportRow, type ValueRules } from './importFile'
import { kinds } from './kinds'

const budget: ValueRules = { field: 'budget', unlimited: true }
const adBudget: ValueRules = { field: 'budget', unlimited: false }
const utf8 = (s: string) => new TextEncoder().encode(s)
/** gbk is "<ascii><GBK bytes><ascii>…": the parts given as hex are GBK as Excel writes it. */
const gbk = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...utf8(p)] : p)))
const 广告计划 = [0xb9, 0xe3, 0xb8, 0xe6, 0xbc, 0xc6, 0xbb, 0xae]
const 新预算 = [0xd0, 0xc2, 0xd4, 0xa4, 0xcb, 0xe3]
const 不限 = [0xb2, 0xbb, 0xcf, 0xde]

/** lines is what a test reads of the rows: line, id, value and the problem's code. */
const lines = (rows: ImportRow[]) => rows.map((r) => [r.line, r.id, r.value, r.problem?.code ?? ''])

describe('decoding an import file', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(decode(utf8('\uFEFFID,预算\n'))).toBe('ID,预算\n')
    expect(decode(utf8('ID,预算\n'))).toBe('ID,预算\n')
  })
  it('falls back to GBK when the bytes are not UTF-8', () => {
    expect(decode(gbk(广告计划, 'ID,', 新预算))).toBe('广告计划ID,新预算')
  })
  it('reads UTF-16 with its BOM (Excel\'s "Unicode text")', () => {
    const text = 'ID\t预算\r\n1\t500\r\n'
    const bytes = new Uint8Array(2 + text.length * 2)
    bytes.set([0xff, 0xfe])
    for (let i = 0; i < text.length; i++) new DataView(bytes.buffer).setUint16(2 + i * 2, text.charCodeAt(i), true)
    expect(decode(bytes)).toBe(text)
  })
})

describe('parsing an import file', () => {
  it('takes a UTF-8 file with a BOM, its header skipped', () => {
    const got = parseFile(utf8('\uFEFFID,预算\r\n1790000000000001,500\r\n1790000000000002,1200.50\r\n'), budget)
    expect(got.problem).toBeNull()
    expect(lines(got.rows)).toEqual([
      [2, 1790000000000001, '500', ''],
      [3, 1790000000000002, '1200.50', ''],
    ])
  })
  it('takes a GBK file with a Chinese header and 不限', () => {
    const got = parseFile(gbk(广告计划, 'ID,', 新预算, '(', [0xd4, 0xaa], ')\r\n1790000000000001,', 不限, '\r\n1790000000000002,800\r\n'), budget)
    expect(lines(got.rows)).toEqual([
      [2, 1790000000000001, 'unlimited', ''],
      [3, 1790000000000002, '800', ''],
    ])
  })
  it('reads quoted cells with commas, quotes and line breaks, counting lines as the file has them', () => {
    const got = parseText('"ID","预算,元"\n"11","500"\n12,"1,200.00"\n"13","有""引号""\n换行"\n14,  "300.5" \n', budget)
    expect(lines(got.rows)).toEqual([
      [2, 11, '500', ''],
      [3, 12, '1,200.00', 'badAmount'],
      [4, 13, '有"引号"\n换行', 'badAmount'],
      [6, 14, '300.5', ''],
    ])
  })
  it('reads tab-separated files, and extra columns are ignored', () => {
    const got = parseText('ID\t新预算\t备注\n21\t600\t提价\n22\t700\n', budget)
    expect(lines(got.rows)).toEqual([
      [2, 21, '600', ''],
      [3, 22, '700', ''],
    ])
  })
  it('takes a first line that starts with a number as data, and skips blank lines', () => {
    const got = parseText('\n31,500\r\n\r\n,,\n32,600', budget)
    expect(lines(got.rows)).toEqual([
      [2, 31, '500', ''],
      [5, 32, '600', ''],
    ])
  })
  it('names ids that are not positive integers, and one Excel wrote in scientific notation', () => {
    const got = parseText('ID,预算\nabc,500\n0,500\n-5,500\n1.5,500\n1.79E+15,500\n99999999999999999999,500\n', budget)
    expect(got.rows.map((r) => r.problem)).toEqual([
      { code: 'badId', id: 'abc' },
      { code: 'badId', id: '0' },
      { code: 'badId', id: '-5' },
      { code: 'badId', id: '1.5' },
      { code: 'idRounded', id: '1.79E+15' },
      { code: 'badId', id: '99999999999999999999' },
    ])
  })
  it('leaves out both lines of an id given twice, each naming the other', () => {
    const got = parseText('41,500\n42,600\n41,700\n', budget)
    expect(got.rows.map((r) => [r.line, r.problem])).toEqual([
      [1, { code: 'duplicate', other: 3 }],
      [2, null],
      [3, { code: 'duplicate', other: 1 }],
    ])
    expect(plannedOf(got.rows)).toEqual([{ id: 42, value: '600' }])
  })
  it('names values that are not amounts, and empty ones', () => {
    const got = parseText('51,+50\n52,1e3\n53,12.345\n54,-1\n55,500.\n56,\n57\n58,¥500\n59,500.5\n', budget)
    expect(got.rows.map((r) => r.problem?.code ?? '')).toEqual(['badAmount', 'badAmount', 'badAmount', 'badAmount', 'badAmount', 'emptyValue', 'emptyValue', 'badAmount', ''])
    expect(got.rows[2]?.problem).toEqual({ code: 'badAmount', value: '12.345' })
  })
  it('takes 不限 and unlimited for budgets where the kind allows it, never for ads or bids', () => {
    expect(lines(parseText('61,不限\n62,Unlimited\n', budget).rows)).toEqual([
      [1, 61, 'unlimited', ''],
      [2, 62, 'unlimited', ''],
    ])
    expect(parseText('61,不限\n', adBudget).rows[0]?.problem).toEqual({ code: 'noUnlimited' })
    expect(parseText('61,不限\n', { field: 'bid', unlimited: true }).rows[0]?.problem).toEqual({ code: 'badAmount', value: '不限' })
  })
  it('refuses more than 1000 lines as a whole, and takes 1000', () => {
    const file = (n: number) => 'ID,预算\n' + Array.from({ length: n }, (_, i) => `${10000 + i},500`).join('\n')
    expect(parseText(file(maxRows + 1), budget)).toEqual({ rows: [], problem: { code: 'tooMany', n: 1001 } })
    expect(parseText(file(maxRows), budget).rows).toHaveLength(1000)
  })
  it('refuses an empty file, a header alone and what is not CSV', () => {
    expect(parseFile(new Uint8Array(), budget).problem).toEqual({ code: 'empty' })
    expect(parseText('\uFEFF\r\n\r\n', budget).problem).toEqual({ code: 'empty' })
    expect(parseText('ID,预算\n', budget).problem).toEqual({ code: 'empty' })
    expect(parseText('71;500\n72;600\n', budget).problem).toEqual({ code: 'notCsv' })
    expect(parseFile(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00]), budget).problem).toEqual({ code: 'notCsv' })
    expect(parseText('"unterminated,500\n81,600', budget).problem).toEqual({ code: 'empty' })
  })
})

describe('reading a workbook\'s rows', () => {
  it('numbers lines by their rows, an empty row counted, the header skipped', () => {
    const p = parseSheet([['广告计划 ID', '新预算'], ['71', '500'], [], ['72', '不限'], ['73', '1234.5', 'note']], 4, budget)
    expect(p.problem).toBeNull()
    expect(lines(p.rows)).toEqual([[2, 71, '500', ''], [4, 72, 'unlimited', ''], [5, 73, '1234.5', '']])
  })
  it('names an id Excel kept as a number, and a row with one cell', () => {
    const p = parseSheet([['1.70835961247394E+15', '500'], ['74']], 2, budget)
    expect(lines(p.rows)).toEqual([[1, 0, '500', 'idRounded'], [2, 74, '', 'emptyValue']])
  })
  it('refuses a sheet of more lines than an import takes, counting the rows holding a value but the header; and an empty one', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => [String(100 + i), '500'])
    // The API answers up to a header and 1,000 lines, the blank rows among them too: all taken.
    expect(parseSheet([['ID', '新预算'], ...lines(maxRows)], maxRows + 1, budget).rows).toHaveLength(maxRows)
    const withBlanks = [['ID', '新预算'], [], ...lines(500), [' ', ''], ...lines(500)]
    expect(parseSheet(withBlanks, maxRows + 1, budget).problem).toBeNull()
    expect(parseSheet(withBlanks, maxRows + 1, budget).rows).toHaveLength(maxRows)
    // More rows hold a value than were answered: refused, the lines counted.
    expect(parseSheet(withBlanks, maxRows + 3, budget).problem).toEqual({ code: 'tooMany', n: maxRows + 2 })
    expect(parseSheet(lines(maxRows + 1), maxRows + 40, budget).problem).toEqual({ code: 'tooMany', n: maxRows + 40 })
    expect(parseSheet([], 0, budget).problem).toEqual({ code: 'empty' })
    expect(parseSheet([['ID', '新预算']], 1, budget).problem).toEqual({ code: 'empty' })
  })
  it('tells a workbook by its name or its zip signature', () => {
    expect(isWorkbook('预算.XLSX', utf8('x'))).toBe(true)
    expect(isWorkbook('budgets', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe(true)
    expect(isWorkbook('budgets.csv', utf8('71,500\n'))).toBe(false)
  })
})

describe('checking the rows against the entities read', () => {
  const rows = parseText('1,500\n2,500\n3,600\n4,abc\n', budget).rows
  const found = new Map<number, Entity>([
    [1, { id: 1, name: 'a', status: 'AD_STATUS_DELIVERY_OK', opt_status: 'AD_STATUS_ENABLE' }],
    [3, { id: 3, name: 'c', status: 'AD_STATUS_DELETE' }],
  ])
  it('reads only the ids worth reading', () => {
    expect(idsToRead(rows)).toEqual([1, 2, 3])
  })
  it('names ids the API did not return and deleted entities', () => {
    expect(checkFound(rows, found, kinds.ads, 'budget').map((r) => r.problem?.code ?? '')).toEqual(['', 'notFound', 'deleted', 'badAmount'])
  })
  it('names the bid field an ad\'s pricing takes', () => {
    const bids = parseText('1,1.5\n2,30\n', { field: 'bid', unlimited: false }).rows
    const ads = new Map<number, Entity>([
      [1, { id: 1, pricing: 'PRICING_CPC', status: 'AD_STATUS_DISABLE' }],
      [2, { id: 2, pricing: 'PRICING_OCPM', status: 'AD_STATUS_DISABLE' }],
    ])
    expect(checkFound(bids, ads, kinds.ads, 'bid').map((r) => r.problem)).toEqual([null, { code: 'wrongBid', want: 'cpa_bid' }])
    expect(checkFound(bids, ads, kinds.ads, 'cpa_bid').map((r) => r.problem)).toEqual([{ code: 'wrongBid', want: 'bid' }, null])
  })
  it('marks what the dry run refused, and plans the rest with their own values', () => {
    const checked = withRefusals(checkFound(parseText('1,500\n5,650.5\n6,700\n', budget).rows, new Map([1, 5, 6].map((id) => [id, { id }])), kinds.campaigns, 'budget'), new Map([[6, '不能低于今日消耗的 105%']]))
    expect(checked.map((r) => r.problem)).toEqual([null, null, { code: 'refused', message: '不能低于今日消耗的 105%' }])
    const items = plannedOf(checked)
    expect(items).toEqual([{ id: 1, value: '500' }, { id: 5, value: '650.5' }])
    expect(batchBodyOf('budget', items)).toEqual({ items: [{ id: 1, budget: '500' }, { id: 5, budget: '650.5' }] })
  })
})

describe('words and the template', () => {
  const t = (key: string, params?: Record<string, unknown>) => `${key}${params ? JSON.stringify(params) : ''}`
  it('says a problem with its figures and the fields in words', () => {
    expect(problemText({ code: 'duplicate', other: 3 }, 'budget', t)).toBe('entities.import.problems.duplicate{"code":"duplicate","other":3,"field":"change.fields.budget"}')
    expect(problemText({ code: 'wrongBid', want: 'cpa_bid' }, 'bid', t)).toContain('"want":"change.fields.cpa_bid"')
    expect(problemText({ code: 'refused', message: 'must be at least 300.00' }, 'budget', t)).toBe('must be at least 300.00')
  })
  it('writes a template that reads back as two valid lines', () => {
    const text = csvText(templateLines(['ID', '新预算(元)'], budget))
    expect(text).toBe('\uFEFFID,新预算(元)\r\n1790000000000001,500\r\n1790000000000002,不限\r\n')
    expect(lines(parseText(text, budget).rows)).toEqual([
      [2, 1790000000000001, '500', ''],
      [3, 1790000000000002, 'unlimited', ''],
    ])
    expect(plannedOf(parseText(csvText(templateLines(['ID', 'CPA'], { field: 'cpa_bid', unlimited: false })), { field: 'cpa_bid', unlimited: false }).rows)).toEqual([
      { id: 1790000000000001, value: '35' },
      { id: 1790000000000002, value: '42.50' },
    ])
    expect(csvText([['a,b', 'say "hi"']])).toBe('\uFEFF"a,b","say ""hi"""\r\n')
  })
})
