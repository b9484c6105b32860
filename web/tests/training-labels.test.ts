import { describe, expect, it } from 'vitest'
import {
  ViewClock, addDays, answerBody, continueTarget, countdown, daysBetween, draftFrom, draftInput, draftProblem, dutySentence, dutyWhat, dutyWho,
  emptyDraft, enrollmentPercent, enrollmentTag, fileSize, hasInstant, hoursText, moduleDone, moduleProgressPercent, msLeft, noId, percent,
  previewKind, safeUrl, scoreText, shortDate, sortTasks, timeOptions, todayIn, unanswered, videoPercent, weeklyOccurrences,
} from '@/modules/training/labels'
import type { Duty, Progress } from '@/modules/training/api'
import { messages } from '@/modules/training/i18n'

function progress(p: Partial<Progress>): Progress {
  return {
    enrollmentId: '1', moduleId: '2', materialsTotal: 0, materialsDone: 0, testState: '', bestScore: -1, attempts: 0, homeworkState: '',
    homeworkScore: 0, homeworkDue: null, lastMaterialId: '0', completedAt: null, ...p,
  }
}

// a translator over the module's own messages, like vue-i18n's t with named placeholders
function tr(locale: 'zh-CN' | 'en') {
  return (key: string, params: Record<string, unknown> = {}) => {
    const v = key.split('.').reduce<any>((o, k) => o?.[k], messages[locale])
    if (typeof v !== 'string') throw new Error(`missing ${key}`)
    return v.replace(/\{(\w+)\}/g, (_, k) => String(params[k]))
  }
}

function duty(d: Partial<Duty>): Duty {
  return {
    id: '1', programId: '9', party: 'department', departmentId: '5', departmentName: '市场部', kind: 'provide', moduleId: '7', title: '',
    assigneeId: '0', assigneeName: '', dueDate: '2026-03-03', everyDays: 0, state: 'open', daysLate: 0, doneAt: null, doneByName: '',
    doneHow: '', evidence: '', evidenceFileId: '0', ...d,
  }
}

describe('training labels', () => {
  it('treats Go zero values as unset', () => {
    expect(noId('0')).toBe(true)
    expect(noId('')).toBe(true)
    expect(noId('123')).toBe(false)
    expect(hasInstant('0001-01-01T00:00:00Z')).toBe(false)
    expect(hasInstant(null)).toBe(false)
    expect(hasInstant('2026-03-01T08:00:00Z')).toBe(true)
  })

  it('computes percentages', () => {
    expect(percent(1, 3)).toBe(33)
    expect(percent(3, 3)).toBe(100)
    expect(percent(5, 3)).toBe(100)
    expect(percent(0, 0)).toBe(0)
    expect(percent(2, 0)).toBe(0)
  })

  it('counts materials, the test and the homework as steps of a module', () => {
    expect(moduleProgressPercent(null)).toBe(0)
    expect(moduleProgressPercent(progress({ materialsTotal: 2, materialsDone: 1 }))).toBe(50)
    // 2 materials + test + homework = 4 steps; both materials and the homework done
    expect(moduleProgressPercent(progress({ materialsTotal: 2, materialsDone: 2, testState: 'failed', homeworkState: 'submitted' }))).toBe(75)
    expect(moduleProgressPercent(progress({ materialsTotal: 2, materialsDone: 0, completedAt: '2026-03-01T00:00:00Z' }))).toBe(100)
    expect(moduleProgressPercent(progress({ materialsTotal: 1, materialsDone: 5 }))).toBe(100)
  })

  it('knows when a module is done, as the server does', () => {
    expect(moduleDone(progress({ materialsTotal: 1, materialsDone: 1 }))).toBe(true)
    expect(moduleDone(progress({ materialsTotal: 1, materialsDone: 1, testState: 'grading' }))).toBe(false)
    expect(moduleDone(progress({ materialsTotal: 1, materialsDone: 1, testState: 'passed', homeworkState: 'pending' }))).toBe(false)
    expect(moduleDone(progress({ materialsTotal: 1, materialsDone: 1, testState: 'passed', homeworkState: 'graded' }))).toBe(true)
  })

  it('averages an enrollment over its modules', () => {
    expect(enrollmentPercent({ modulesDone: 1, modulesTotal: 4, state: 'in_progress' })).toBe(25)
    expect(enrollmentPercent({ modulesDone: 0, modulesTotal: 2, state: 'completed' })).toBe(100)
    const a = progress({ materialsTotal: 2, materialsDone: 2 })
    const b = progress({ materialsTotal: 2, materialsDone: 0 })
    expect(enrollmentPercent({ modulesDone: 1, modulesTotal: 2, state: 'in_progress' }, [a, b])).toBe(50)
  })

  it('colours states, overdue first', () => {
    expect(enrollmentTag('in_progress', true)).toBe('danger')
    expect(enrollmentTag('completed', true)).toBe('success')
    expect(enrollmentTag('assigned')).toBe('info')
  })

  it('formats scores and hours', () => {
    expect(scoreText(-1)).toBe('—')
    expect(scoreText(86.66, 1)).toBe('86.7')
    expect(scoreText(90)).toBe('90')
    expect(hoursText(1.5)).toBe('1.5')
    expect(hoursText(2)).toBe('2')
    expect(hoursText(0)).toBe('0')
  })

  it('does date arithmetic on civil dates', () => {
    expect(addDays('2026-02-27', 3)).toBe('2026-03-02')
    expect(daysBetween('2026-03-03', '2026-03-08')).toBe(5)
    expect(daysBetween('2026-03-08', '2026-03-03')).toBe(-5)
    expect(todayIn('Asia/Shanghai', new Date('2026-03-02T17:00:00Z'))).toBe('2026-03-03')
  })

  it('writes short dates people read', () => {
    expect(shortDate('2026-03-03', 'zh-CN', '2026-03-08')).toBe('3月3日')
    expect(shortDate('2025-12-30', 'zh-CN', '2026-03-08')).toBe('2025年12月30日')
    expect(shortDate('2026-03-03', 'en', '2026-01-01')).toBe('Mar 3')
    expect(shortDate('', 'en')).toBe('')
  })

  it('lists the meeting days of a weekly schedule', () => {
    // 2026-03-02 is a Monday; every Tuesday for four weeks
    expect(weeklyOccurrences({ weekday: 2, start: '14:00', end: '16:00', from: '2026-03-02', weeks: 4 })).toEqual([
      '2026-03-03', '2026-03-10', '2026-03-17', '2026-03-24',
    ])
    // from a Sunday, on Sundays: the first day counts
    expect(weeklyOccurrences({ weekday: 0, start: '09:00', end: '10:00', from: '2026-03-01', weeks: 2 })).toEqual(['2026-03-01', '2026-03-08'])
    expect(weeklyOccurrences({ weekday: 2, start: '', end: '', from: '', weeks: 3 })).toEqual([])
    expect(weeklyOccurrences(null)).toEqual([])
    expect(weeklyOccurrences({ weekday: 1, start: '', end: '', from: '2026-12-28', weeks: 2 })).toEqual(['2026-12-28', '2027-01-04'])
  })

  it('offers half-hour times', () => {
    const list = timeOptions(30)
    expect(list.length).toBe(48)
    expect(list[0]).toBe('00:00')
    expect(list[29]).toBe('14:30')
  })

  it('counts down', () => {
    expect(countdown(65000)).toBe('1:05')
    expect(countdown(3723000)).toBe('1:02:03')
    expect(countdown(-5)).toBe('0:00')
    expect(countdown(400)).toBe('0:01')
    expect(msLeft('2026-03-03T10:00:00Z', Date.parse('2026-03-03T09:59:00Z'))).toBe(60000)
    expect(msLeft('0001-01-01T00:00:00Z')).toBeNull()
  })

  it('writes the accountability sentence', () => {
    const zh = tr('zh-CN')
    const late = duty({ state: 'overdue', daysLate: 5, moduleTitle: '项目实战案例' })
    expect(dutySentence(late, zh, 'zh-CN', '2026-03-08')).toBe('市场部 未提供《项目实战案例》(截止 3月3日，逾期5天)')
    // a duty with its own title says it as written
    const titled = duty({ state: 'overdue', daysLate: 5, title: '提供《项目实战案例》' })
    expect(dutySentence(titled, zh, 'zh-CN', '2026-03-08')).toBe('市场部 未提供《项目实战案例》(截止 3月3日，逾期5天)')
    expect(dutySentence(duty({ state: 'open', moduleTitle: '安全' }), zh, 'zh-CN', '2026-03-01')).toBe('市场部 需提供《安全》(截止 3月3日)')
    const done = duty({ state: 'done', doneAt: '2026-03-02T03:00:00Z', party: 'hr', kind: 'notify', assigneeName: '王芳', moduleId: '0' })
    expect(dutySentence(done, zh, 'zh-CN', '2026-03-08')).toBe('王芳 已通知学员(3月2日)')
    const en = tr('en')
    expect(dutySentence(late, en, 'en', '2026-03-08')).toBe('市场部 did not provide “项目实战案例” (due Mar 3, 5 days late)')
  })

  it('names who owes a duty', () => {
    const hr = '人力资源'
    expect(dutyWho({ party: 'hr', assigneeName: '' }, hr)).toBe(hr)
    expect(dutyWho({ party: 'employee', employeeName: '张三', assigneeName: '张三' }, hr)).toBe('张三')
    expect(dutyWho({ party: 'department', departmentName: '', assigneeName: '李四' }, hr)).toBe('李四')
    expect(dutyWhat({ kind: 'study', title: '', moduleTitle: '' }, tr('zh-CN'))).toBe('学习')
  })

  it('knows how to show a file', () => {
    expect(previewKind('application/pdf')).toBe('pdf')
    expect(previewKind('', 'lesson.MP4')).toBe('video')
    expect(previewKind('image/png')).toBe('image')
    expect(previewKind('application/vnd.openxmlformats-officedocument.presentationml.presentation')).toBe('office')
    expect(previewKind('application/zip', 'a.zip')).toBe('other')
    expect(fileSize(1536)).toBe('1.5 KB')
    expect(fileSize(3 * 1024 * 1024)).toBe('3.0 MB')
    expect(safeUrl(' https://example.com/a ')).toBe('https://example.com/a')
    expect(safeUrl('javascript:alert(1)')).toBe('')
    expect(videoPercent(45, 60)).toBe(75)
    expect(videoPercent(10, 0)).toBe(0)
    expect(videoPercent(70, 60)).toBe(100)
  })
})

describe('question editor', () => {
  it('drops empty options and renumbers the right ones', () => {
    const d = emptyDraft('multiple')
    d.stem = ' 哪些是安全帽的要求？ '
    d.options = ['A', '', 'C', 'D']
    d.choice = ['2', '3']
    expect(draftInput(d)).toEqual({ kind: 'multiple', stem: '哪些是安全帽的要求？', points: 5, options: ['A', 'C', 'D'], answer: ['1', '2'] })
  })

  it('names the first problem', () => {
    const d = emptyDraft('single')
    expect(draftProblem(d)).toBe('stem')
    d.stem = 'Q'
    expect(draftProblem(d)).toBe('options')
    d.options = ['x', 'y', '', '']
    expect(draftProblem(d)).toBe('single')
    d.choice = ['1']
    expect(draftProblem(d)).toBe('')
    d.points = 0
    expect(draftProblem(d)).toBe('points')
    const tf = emptyDraft('truefalse')
    tf.stem = 'Q'
    expect(draftProblem(tf)).toBe('truefalse')
    tf.truth = 'false'
    expect(draftInput(tf).answer).toEqual(['false'])
    const fill = emptyDraft('fill')
    fill.stem = 'Q'
    fill.texts = [' ', '']
    expect(draftProblem(fill)).toBe('fill')
    const short = emptyDraft('short')
    short.stem = 'Q'
    expect(draftProblem(short)).toBe('')
  })

  it('reads a saved question back', () => {
    const d = draftFrom({ kind: 'single', stem: 'Q', options: ['a', 'b'], answer: ['1'], points: 3 })
    expect(d.choice).toEqual(['1'])
    expect(draftFrom({ kind: 'truefalse', stem: 'Q', options: null, answer: ['true'], points: 1 }).truth).toBe('true')
    expect(draftFrom({ kind: 'fill', stem: 'Q', options: null, answer: ['北京', 'Beijing'], points: 1 }).texts).toEqual(['北京', 'Beijing'])
  })
})

describe('the learner', () => {
  it('finds unanswered questions and builds the answers', () => {
    const qs = [{ id: '1' }, { id: '2' }, { id: '3' }]
    expect(unanswered(qs, { '1': 'a', '2': [], '3': ' ' })).toEqual(['2', '3'])
    expect(answerBody({ '1': 'a', '2': ['0', '2'], '3': '  ', '4': ['', 'x '] })).toEqual({ '1': ['a'], '2': ['0', '2'], '4': ['x'] })
  })

  it('continues where the learner stopped in the most urgent task', () => {
    const tasks = [
      {
        state: 'in_progress', overdue: false, dueDate: '2026-04-01',
        modules: [{ module: { id: 'm1' }, progress: progress({ materialsTotal: 1, materialsDone: 0 }) }],
      },
      {
        state: 'in_progress', overdue: true, dueDate: '2026-03-01',
        modules: [
          { module: { id: 'm2' }, progress: progress({ materialsTotal: 1, materialsDone: 1 }) },
          { module: { id: 'm3' }, progress: progress({ materialsTotal: 3, materialsDone: 1, lastMaterialId: '77', updatedAt: '2026-03-02T00:00:00Z' }) },
          { module: { id: 'm4' }, progress: progress({ materialsTotal: 3, materialsDone: 0 }) },
        ],
      },
      { state: 'completed', overdue: false, dueDate: '2026-01-01', modules: [] },
    ]
    expect(continueTarget(tasks)).toEqual({ moduleId: 'm3', materialId: '77' })
    expect(sortTasks(tasks).map((x) => x.dueDate)).toEqual(['2026-03-01', '2026-04-01', '2026-01-01'])
    expect(continueTarget([tasks[0]])).toEqual({ moduleId: 'm1', materialId: '' })
    expect(continueTarget([tasks[2]])).toBeNull()
  })

  it('reports whole seconds between progress reports', () => {
    const c = new ViewClock(0)
    expect(c.take(15400)).toBe(15)
    expect(c.take(30000)).toBe(15) // 0.4 s carried over
    c.skip(100000)
    expect(c.take(101000)).toBe(1)
    expect(c.take(101000 + 2 * 3600 * 1000)).toBe(3600)
  })
})
