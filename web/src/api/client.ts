// The one API client: typed by the OpenAPI document (schema.d.ts is generated
// from internal/httpapi/openapi.yaml), with authentication, silent token
// refresh and error normalisation in one place.
import createClient from 'openapi-fetch'
import type { paths } from './schema'

/** One offending input field of a 400/422 answer; rule and params name the rule it breaks, where the API says. */
export interface FieldError {
  field: string
  message: string
  rule?: string
  params?: Record<string, string>
}

/**
 * What an error without fields says: its reason and the reason's figures, where the API names
 * them (reason: rule_version_conflict, params: {current: "4", expected: "3"}), and the API's English message.
 */
export interface ErrorReason {
  reason?: string
  params?: Record<string, string>
  message: string
}

/**
 * ApiError is every failed API call: the envelope's code, message (in the operator's language where
 * the console has a text for its reason), fields, request id, reason and the reason's figures.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string,
    readonly fields: FieldError[] = [],
    readonly data: unknown = null,
    readonly reason?: string,
    readonly params: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** The message of one field (validation errors), if the API named it. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field || f.field.endsWith('.' + field))?.message
  }
}

/** toApiError keeps an API error as it is and wraps anything else (a bug, a failed fetch) as one. */
export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'client_error', String(e), '')
}

/** Session hooks the client needs; the session store provides them. */
export interface AuthHooks {
  accessToken(): string | null
  /** Refreshes the token pair; resolves false when the session is over. */
  refresh(): Promise<boolean>
  /** Called when a request stays unauthorised after a refresh. */
  expired(): void
  /**
   * Called when the API refuses a request until the user acts on their own
   * account (reason password_change_required or mfa_enrollment_required), so
   * the session reads its user again and asks for it.
   */
  blocked?(reason: string): void
}

let hooks: AuthHooks | null = null
let fieldWords: ((f: FieldError) => FieldError) | null = null
let reasonWords: ((e: ErrorReason) => string) | null = null

/** bindFieldText sets how a refused field's message is put in the operator's language (once, at start). */
export function bindFieldText(fn: (f: FieldError) => FieldError): void {
  fieldWords = fn
}

/** bindReasonText sets how an error's message is put in the operator's language from its reason (once, at start). */
export function bindReasonText(fn: (e: ErrorReason) => string): void {
  reasonWords = fn
}

/** bindAuth connects the client to the session store (once, at start). */
export function bindAuth(h: AuthHooks): void {
  hooks = h
}

const noRefresh = ['/api/v1/auth/login', '/api/v1/auth/login/mfa', '/api/v1/auth/refresh']
const blockingReasons = ['password_change_required', 'mfa_enrollment_required']

function withToken(req: Request): Request {
  const token = hooks?.accessToken()
  if (token) req.headers.set('Authorization', `Bearer ${token}`)
  return req
}

async function authedFetch(input: Request): Promise<Response> {
  const retry = input.clone()
  const res = await fetch(withToken(input))
  const path = new URL(input.url, window.location.origin).pathname
  if (res.status === 403 && hooks?.blocked) void blockedBy(res.clone(), hooks.blocked)
  if (res.status !== 401 || !hooks || noRefresh.includes(path) || !hooks.accessToken()) return res
  if (!(await hooks.refresh())) {
    hooks.expired()
    return res
  }
  const again = await fetch(withToken(retry))
  if (again.status === 401) hooks.expired()
  return again
}

async function blockedBy(res: Response, blocked: (reason: string) => void): Promise<void> {
  try {
    const reason = ((await res.json()) as ErrorBody).reason
    if (reason && blockingReasons.includes(reason)) blocked(reason)
  } catch {
    // not the API's JSON
  }
}

/** api is the typed client; use it through call() to get data or an ApiError. */
export const api = createClient<paths>({ baseUrl: '', fetch: authedFetch })

interface Envelope<T> {
  data?: T
}

/** The error envelope, as the API writes it. */
export interface ErrorBody {
  code?: string
  message?: string
  reason?: string
  params?: Record<string, string>
  request_id?: string
  data?: { fields?: FieldError[] } | null
}

/** errorOf is the ApiError of a failed answer res with the error envelope body (or none). */
export function errorOf(res: Response, body: ErrorBody | undefined): ApiError {
  const b = body ?? {}
  const message = b.message ?? res.statusText
  return new ApiError(
    res.status,
    b.code ?? 'http_' + res.status,
    reasonWords ? reasonWords({ reason: b.reason, params: b.params, message }) : message,
    b.request_id ?? res.headers.get('X-Request-ID') ?? '',
    (b.data?.fields ?? []).map((f) => (fieldWords ? fieldWords(f) : f)),
    b.data ?? null,
    b.reason,
    b.params ?? {},
  )
}

/**
 * call awaits an openapi-fetch request and returns the envelope's data, or
 * throws an ApiError carrying the API's code, message, fields and request id.
 */
export async function call<T>(
  p: Promise<{ data?: Envelope<T>; error?: unknown; response: Response }>,
): Promise<T> {
  let r: Awaited<typeof p>
  try {
    r = await p
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e), '')
  }
  if (r.response.ok && r.data !== undefined) return r.data.data as T
  throw errorOf(r.response, r.error as ErrorBody | undefined)
}

/** newIdempotencyKey returns a fresh key for one user action (retries of it reuse the key). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}
