import { describe, expect, it } from 'vitest'
import { MAX_COST_FEN, fenToYuan, parseYuan } from '@/modules/training/money'
import { messages } from '@/modules/training/i18n'

describe('yuan to fen', () => {
  it('reads whole yuan and one or two decimals exactly', () => {
    expect(parseYuan('1234')).toEqual({ fen: 123400 })
    expect(parseYuan('1234.5')).toEqual({ fen: 123450 })
    expect(parseYuan('1234.50')).toEqual({ fen: 123450 })
    expect(parseYuan('0.01')).toEqual({ fen: 1 })
    expect(parseYuan('.5')).toEqual({ fen: 50 })
    expect(parseYuan('7.')).toEqual({ fen: 700 })
    expect(parseYuan('007.10')).toEqual({ fen: 710 })
  })

  it('has none of float multiplication errors', () => {
    // 0.29 * 100 = 28.999999999999996, 1.15 * 100 = 114.99999999999999, 4.35 * 100 = 434.99999999999994
    expect(parseYuan('0.29')).toEqual({ fen: 29 })
    expect(parseYuan('1.15')).toEqual({ fen: 115 })
    expect(parseYuan('4.35')).toEqual({ fen: 435 })
    expect(parseYuan('19.99')).toEqual({ fen: 1999 })
    expect(parseYuan('1005.83')).toEqual({ fen: 100583 })
    for (let fen = 1; fen <= 100000; fen += 7) expect(parseYuan(fenToYuan(fen)).fen).toBe(fen)
  })

  it('takes what people type: spaces, separators, a currency sign, full-width digits', () => {
    expect(parseYuan(' 1,234.50 ')).toEqual({ fen: 123450 })
    expect(parseYuan('¥80')).toEqual({ fen: 8000 })
    expect(parseYuan('￥80')).toEqual({ fen: 8000 })
    expect(parseYuan('１２．３')).toEqual({ fen: 1230 })
    expect(parseYuan('1，000')).toEqual({ fen: 100000 })
  })

  it('refuses what is not an amount, never rounding', () => {
    expect(parseYuan('')).toEqual({ problem: 'empty' })
    expect(parseYuan('  ')).toEqual({ problem: 'empty' })
    expect(parseYuan(null)).toEqual({ problem: 'empty' })
    expect(parseYuan('abc')).toEqual({ problem: 'format' })
    expect(parseYuan('1e3')).toEqual({ problem: 'format' })
    expect(parseYuan('-5')).toEqual({ problem: 'format' })
    expect(parseYuan('1.2.3')).toEqual({ problem: 'format' })
    expect(parseYuan('.')).toEqual({ problem: 'format' })
    expect(parseYuan('1.005')).toEqual({ problem: 'decimals' })
    expect(parseYuan('0')).toEqual({ problem: 'zero' })
    expect(parseYuan('0.00')).toEqual({ problem: 'zero' })
  })

  it('keeps to the server limit of one line (1,000,000,000.00 yuan), even past 2^53', () => {
    expect(parseYuan('1000000000')).toEqual({ fen: MAX_COST_FEN })
    expect(parseYuan('1,000,000,000.00')).toEqual({ fen: MAX_COST_FEN })
    expect(parseYuan('1000000000.01')).toEqual({ problem: 'range' })
    expect(parseYuan('99999999999999999999')).toEqual({ problem: 'range' })
    expect(parseYuan('0000000000001.00')).toEqual({ fen: 100 })
    expect(parseYuan('5', 100)).toEqual({ problem: 'range' })
  })
})

describe('fen to yuan', () => {
  it('writes two decimals exactly, like the server (training.Yuan)', () => {
    expect(fenToYuan(0)).toBe('0.00')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(50)).toBe('0.50')
    expect(fenToYuan(123450)).toBe('1234.50')
    expect(fenToYuan(-5)).toBe('-0.05')
    expect(fenToYuan(-123456)).toBe('-1234.56')
    expect(fenToYuan(MAX_COST_FEN)).toBe('1000000000.00')
    expect(fenToYuan('9007199254740993')).toBe('90071992547409.93')
  })

  it('groups thousands when asked', () => {
    expect(fenToYuan(123450, true)).toBe('1,234.50')
    expect(fenToYuan(100, true)).toBe('1.00')
    expect(fenToYuan(MAX_COST_FEN, true)).toBe('1,000,000,000.00')
    expect(fenToYuan(-123456789, true)).toBe('-1,234,567.89')
  })

  it('shows nothing for what is not a number', () => {
    expect(fenToYuan('x')).toBe('')
    expect(fenToYuan(null)).toBe('0.00')
  })

  it('has a message for every problem of an amount', () => {
    for (const p of ['empty', 'format', 'decimals', 'zero', 'range']) {
      expect(messages['zh-CN'].training.cost.err, p).toHaveProperty(p)
      expect(messages.en.training.cost.err, p).toHaveProperty(p)
    }
  })
})
