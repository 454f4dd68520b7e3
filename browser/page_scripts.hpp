#pragma once

// JavaScript the tools run in the page. Each is a function expression that
// takes one JSON argument; `call_script` wraps it into an expression.

#include <string>
#include <string_view>

namespace agenttheo::page_scripts {

/// `(script)(argument_json)`, for Runtime.evaluate.
inline std::string call(std::string_view script, std::string_view argument_json) {
  return "(" + std::string{script} + ")(" + std::string{argument_json} + ")";
}

// Finds the element a tool means: a number from get_interactive_elements,
// a CSS selector, or visible text (exact first, then contained); a label
// stands for its control.
#define AGENTTHEO_RESOLVE_TARGET                                               \
  "const resolve = (target) => {"                                              \
  "  const t = String(target).trim();"                                         \
  "  let el = /^\\d+$/.test(t) ? document.querySelector("                      \
  "    `[data-agenttheo-index=\"${t}\"]`) : null;"                             \
  "  if (!el) { try { el = document.querySelector(t); } catch (e) {} }"        \
  "  if (!el) {"                                                               \
  "    const want = t.toLowerCase();"                                          \
  "    const all = [...document.querySelectorAll('a,button,input,select,"      \
  "textarea,label,summary,[role=button],[role=link],[onclick]')];"             \
  "    const text = (e) => (e.innerText || e.value || e.getAttribute("         \
  "'aria-label') || e.placeholder || e.name || '').trim().toLowerCase();"      \
  "    el = all.find((e) => text(e) === want)"                                 \
  "      || all.find((e) => text(e).includes(want)) || null;"                  \
  "  }"                                                                        \
  "  if (el && el.tagName === 'LABEL' && el.control) el = el.control;"         \
  "  return el;"                                                               \
  "};"                                                                         \
  "const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id "  \
  ": '') + ' \"' + (el.innerText || el.value || el.placeholder || '')"         \
  ".trim().slice(0, 60) + '\"';"

inline constexpr std::string_view click
  = "(target) => {" AGENTTHEO_RESOLVE_TARGET
    "  const el = resolve(target);"
    "  if (!el) return {ok: false, output: 'no element matches ' + target};"
    "  el.scrollIntoView({block: 'center'});"
    "  el.click();"
    "  return {ok: true, output: 'clicked ' + describe(el)};"
    "}";

inline constexpr std::string_view focus
  = "(target) => {" AGENTTHEO_RESOLVE_TARGET
    "  const el = resolve(target);"
    "  if (!el) return {ok: false, output: 'no element matches ' + target};"
    "  el.scrollIntoView({block: 'center'});"
    "  el.focus();"
    "  if ('value' in el) el.value = '';"
    "  return {ok: true, output: describe(el)};"
    "}";

#undef AGENTTHEO_RESOLVE_TARGET

inline constexpr std::string_view interactive_elements
  = "(max) => {"
    "  const all = [...document.querySelectorAll('a[href],button,input,select,"
    "textarea,summary,[role=button],[role=link],[onclick],[contenteditable=true]')];"
    "  const visible = all.filter((e) => { const r = e.getBoundingClientRect();"
    "    const s = getComputedStyle(e);"
    "    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' "
    "      && s.display !== 'none' && e.type !== 'hidden'; });"
    "  document.querySelectorAll('[data-agenttheo-index]').forEach((e) =>"
    "    e.removeAttribute('data-agenttheo-index'));"
    "  return visible.slice(0, max).map((e, i) => {"
    "    e.setAttribute('data-agenttheo-index', String(i + 1));"
    "    const role = e.getAttribute('role') || (e.tagName === 'INPUT' ? e.type : '');"
    "    const text = (e.innerText || e.value || e.getAttribute('aria-label') "
    "      || e.placeholder || e.name || '').trim().replace(/\\s+/g, ' ').slice(0, 80);"
    "    const href = e.href ? ' -> ' + e.href : '';"
    "    return `[${i + 1}] ${e.tagName.toLowerCase()}${role ? ' ' + role : ''}"
    " \"${text}\"${href}`;"
    "  }).join('\\n') || 'no interactive elements';"
    "}";

inline constexpr std::string_view page_text
  = "(max) => { const t = (document.body ? document.body.innerText : '')"
    ".replace(/\\n{3,}/g, '\\n\\n').trim();"
    "  return t.length > max ? t.slice(0, max) + ' [...]' : t; }";

inline constexpr std::string_view links
  = "(max) => [...document.links].slice(0, max).map((a) => "
    "`${(a.innerText || a.title || '').trim().replace(/\\s+/g, ' ').slice(0, 80)}"
    " -> ${a.href}`).join('\\n') || 'no links'";

inline constexpr std::string_view scroll
  = "(arg) => { const step = arg.amount || Math.round(innerHeight * 0.8);"
    "  scrollBy(0, arg.direction === 'up' ? -step : step);"
    "  return `scrolled ${arg.direction} to y=${Math.round(scrollY)} of "
    "${document.documentElement.scrollHeight}`; }";

inline constexpr std::string_view wait_for
  = "(arg) => new Promise((done) => {"
    "  const met = () => arg.selector ? !!document.querySelector(arg.selector)"
    "    : (document.body && document.body.innerText.includes(arg.text));"
    "  const started = Date.now();"
    "  const check = () => { if (met()) return done({ok: true, output: 'found ' "
    "+ (arg.selector || JSON.stringify(arg.text))});"
    "    if (Date.now() - started > arg.timeout_ms) return done({ok: false, "
    "output: 'not found within ' + arg.timeout_ms + ' ms'});"
    "    setTimeout(check, 50); };"
    "  check(); })";

} // namespace agenttheo::page_scripts
