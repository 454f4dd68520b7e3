// The JSON API the page calls, with the server's errors turned into readable
// ones: every non-2xx answer throws an ApiError carrying the server's code.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// A server with an API_TOKEN: the page is opened as `/#token=<API_TOKEN>`
// once; the token stays in this tab (sessionStorage), never in a URL sent
// to the server, and goes as a bearer header (as access_token on streams).
const TOKEN_KEY = 'agenttheo-api-token';
(() => {
  const m = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (!m)
    return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(history.state, '', location.pathname + location.search);
})();

/** The API token this tab was given, or null. */
export function apiToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function call(method, path, body) {
  let res;
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
  if (apiToken())
    headers.Authorization = `Bearer ${apiToken()}`;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'the server cannot be reached');
  }
  const json = await res.json().catch(() => null);
  if (!res.ok)
    throw new ApiError(res.status, json?.error?.code ?? `http_${res.status}`,
                       json?.error?.message ?? `the server answered ${res.status}`);
  return json;
}

export const api = {
  health: () => call('GET', '/health'),
  sessions: () => call('GET', '/api/sessions'),
  createSession: () => call('POST', '/api/sessions'),
  session: (id) => call('GET', `/api/sessions/${encodeURIComponent(id)}`),
  deleteSession: (id) => call('DELETE', `/api/sessions/${encodeURIComponent(id)}`),
  renameSession: (id, title) => call('PATCH', `/api/sessions/${encodeURIComponent(id)}`,
                                     { title }),
  cancel: (id) => call('POST', `/api/sessions/${encodeURIComponent(id)}/cancel`),
  pause: (id) => call('POST', `/api/sessions/${encodeURIComponent(id)}/pause`),
  resume: (id) => call('POST', `/api/sessions/${encodeURIComponent(id)}/resume`),
  resolve: (id, interruptId, decision) => call(
    'POST', `/api/sessions/${encodeURIComponent(id)}/interrupts/${encodeURIComponent(interruptId)}`,
    decision),
  startRun: (id, run) => call('POST', `/api/sessions/${encodeURIComponent(id)}/runs`, run),
  runEvents: (messageId) => call('GET', `/api/runs/${encodeURIComponent(messageId)}/events`),
  runFrames: (messageId) => call('GET', `/api/runs/${encodeURIComponent(messageId)}/frames`),
  sessionStreamUrl: (id, mode) => `/api/sessions/${encodeURIComponent(id)}/stream`
    + (mode ? `?stream_mode=${encodeURIComponent(mode)}` : ''),
};

// What each error code means to a person; the server's own message follows.
const TITLES = {
  llm_auth_failed : 'The model provider refused the API key',
  llm_rate_limited : 'The model provider is rate limiting us',
  llm_unavailable : 'The model provider cannot be reached',
  llm_timeout : 'The model took too long to answer',
  llm_bad_response : 'The model sent something unreadable',
  llm_provider_error : 'The model provider failed',
  llm_request_rejected : 'The model provider rejected the request',
  llm_response_too_long : 'The model answered at too great a length',
  llm_failed : 'The model call failed',
  run_failed : 'The run failed',
  session_closed : 'The session has ended',
  browser_crashed : 'The browser crashed',
  capability_missing : 'This server cannot do that',
  session_busy : 'The session is still working on another command',
  queue_full : 'Too many commands are waiting in this session',
  session_lost : 'The session ended unexpectedly',
  server_shutdown : 'The server is shutting down',
  shutting_down : 'The server is shutting down',
  unknown_session : 'That session no longer exists',
  unknown_run : 'That run no longer exists',
  too_many_sessions : 'The server has as many sessions as it allows',
  origin_not_allowed : 'This page may not use the server',
  unauthorized :
    'This server needs its API token: open this page as /#token=API_TOKEN',
  unreachable : 'The server cannot be reached',
  not_in_control : 'Someone else holds the browser',
  control_held : 'Someone else holds the browser',
  not_running : 'Nothing is running',
  not_paused : 'The run is not paused',
  bad_tool_input : 'The edited input does not fit the tool',
  run_failed : 'The agent could not finish',
};

/** A heading for an error `code`, for people. */
export function errorTitle(code) {
  return TITLES[code] ?? `Error: ${String(code).replaceAll('_', ' ')}`;
}
