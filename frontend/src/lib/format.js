// Formatting in the user's locale (undefined locale = the browser's).

/** @param {string|null|undefined} iso */
function toDate(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Date and time, e.g. "Mar 1, 2026, 14:03". */
export function dateTime(iso, { seconds = false } = {}) {
  const d = toDate(iso);
  if (!d) return '—';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' });
}

/** Only the clock time, for log lines. */
export function clockTime(iso) {
  const d = toDate(iso);
  if (!d) return '';
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * A calendar date such as "2026-03-01" (no time zone: shown as that day everywhere).
 * Falls back to the raw text when it is not ISO.
 */
export function calendarDate(value) {
  if (!value) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

const rtf = typeof Intl.RelativeTimeFormat === 'function' ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }) : null;

/** "3 minutes ago", "yesterday", ... */
export function relative(iso, now = Date.now()) {
  const d = toDate(iso);
  if (!d) return '—';
  if (!rtf) return dateTime(iso);
  const s = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return rtf.format(0, 'second') === 'now' ? 'just now' : rtf.format(s, 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(s / 3600), 'hour');
  if (abs < 26 * 86400) return rtf.format(Math.round(s / 86400), 'day');
  return d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** Milliseconds as "850 ms", "4.2 s", "1 min 05 s", "1 h 02 min". */
export function duration(ms) {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** Duration of a run: finished - started, or so far while running (none while queued). */
export function runDuration(run, now = Date.now()) {
  const a = toDate(run?.startedAt);
  if (!a || run?.status === 'queued') return '—';
  const b = toDate(run?.finishedAt);
  return duration((b ? b.getTime() : now) - a.getTime());
}

/** The schedules the portal form offers. The API takes any Go duration from 1h to 744h. */
export const SCHEDULES = [
  { value: '', label: 'Only when I press Run now' },
  { value: '6h', label: 'Every 6 hours' },
  { value: '12h', label: 'Every 12 hours' },
  { value: '24h', label: 'Daily' },
  { value: '168h', label: 'Weekly' },
  { value: '720h', label: 'Every 30 days' },
];

const GO_UNITS = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** A Go duration such as "24h", "1h30m" or "90m" in milliseconds; NaN when it is not one. */
export function goDuration(text) {
  let s = String(text ?? '').trim();
  if (!s) return NaN;
  if (s === '0') return 0;
  let ms = 0;
  while (s) {
    const m = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(s);
    if (!m) return NaN;
    ms += Number(m[1]) * GO_UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return ms;
}

/** The offered value a schedule equals ("24h0m0s" -> "24h"), else the schedule as it is. */
export function schedulePreset(schedule) {
  const ms = goDuration(schedule);
  return SCHEDULES.find((o) => o.value && goDuration(o.value) === ms)?.value ?? (schedule || '');
}

/** A portal's schedule in words: "Daily", "Every 36 h", "Every 2 days"; "" when it runs only when asked. */
export function scheduleText(schedule) {
  if (!schedule) return '';
  const preset = SCHEDULES.find((o) => o.value && o.value === schedulePreset(schedule));
  if (preset) return preset.label;
  const ms = goDuration(schedule);
  if (!Number.isFinite(ms) || ms <= 0) return schedule;
  const day = 86400000;
  if (ms >= 2 * day && ms % day === 0) return `Every ${ms / day} days`;
  if (ms % 3600000 === 0) return `Every ${ms / 3600000} h`;
  if (ms < 3600000 && ms % 60000 === 0) return `Every ${ms / 60000} min`;
  return `Every ${duration(ms)}`;
}

/** True when a time has come (within a minute: the server checks schedules once a minute). */
export function isDue(iso, now = Date.now()) {
  const d = toDate(iso);
  return !!d && d.getTime() - now < 60000;
}

/** How long until a time, compact: "in 5 min", "in 21 h", "in 3 days"; "due now" once it has come. */
export function until(iso, now = Date.now()) {
  const d = toDate(iso);
  if (!d) return '—';
  if (isDue(iso, now)) return 'due now';
  const ms = d.getTime() - now;
  const min = Math.round(ms / 60000);
  if (min < 60) return `in ${min} min`;
  const h = Math.round(ms / 3600000);
  if (h < 48) return `in ${h} h`;
  return `in ${Math.round(ms / 86400000)} days`;
}

/** An amount string such as "1234.56" with an ISO currency code. */
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '—';
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(n);
    } catch {
      // not an ISO 4217 code: show it after the number
      return `${new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)} ${currency}`;
    }
  }
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
}

/** Bytes as "2.3 KB". */
export function bytes(n) {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: v < 10 ? 1 : 0 }).format(v)} ${units[i]}`;
}

/** "123456" -> "123 456", "12345678" -> "1234 5678". */
export function groupCode(code) {
  const c = String(code ?? '');
  if (c.length < 6) return c;
  const half = Math.floor(c.length / 2);
  return c.slice(0, half) + ' ' + c.slice(half);
}

/**
 * The `// ==Portal==` header of a portal script.
 * @param {string} source
 * @returns {{name?: string, url?: string, twofa?: string, fields?: string[], version?: string}}
 */
export function scriptHeader(source) {
  /** @type {Record<string, any>} */
  const out = {};
  if (!source) return out;
  const m = /\/\/\s*==Portal==([\s\S]*?)\/\/\s*==\/Portal==/.exec(source);
  if (!m) return out;
  for (const line of m[1].split('\n')) {
    const h = /^\s*\/\/\s*@(\w+)\s+(.*?)\s*$/.exec(line);
    if (!h) continue;
    const key = h[1];
    const value = h[2].replace(/\s+\(.*\)$/, ''); // drop trailing "(none | totp ...)" remarks
    if (key === 'fields') out.fields = value.split(/[\s,]+/).filter(Boolean);
    else out[key] = value;
  }
  return out;
}

/** The script's @fields other than username and password, each once. */
export function otherFields(fields) {
  return [...new Set((fields || []).filter((f) => f !== 'username' && f !== 'password'))];
}

/** A field name made readable: "customer" -> "Customer", "customer_id" / "customerId" -> "Customer id". */
export function fieldLabel(name) {
  const words = String(name)
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[_\-\s]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : String(name);
}

/** Whether a field's value should be typed unseen (a password, PIN, token, one-time code ...). */
export function isSecretField(name) {
  return /pass|pin|secret|token|key|otp|code/i.test(String(name));
}

/** The days of a login window, Monday first, with the names the API uses. */
export const WEEKDAYS = [
  { value: 'mon', label: 'Mon' },
  { value: 'tue', label: 'Tue' },
  { value: 'wed', label: 'Wed' },
  { value: 'thu', label: 'Thu' },
  { value: 'fri', label: 'Fri' },
  { value: 'sat', label: 'Sat' },
  { value: 'sun', label: 'Sun' },
];

/** A login window in words: "Mon–Fri 08:00–20:00", "Sat, Sun all day"; "" when there is none. */
export function windowText(w) {
  if (!w || !w.days?.length) return '';
  const idx = w.days.map((d) => WEEKDAYS.findIndex((x) => x.value === d)).filter((i) => i >= 0).sort((a, b) => a - b);
  const consecutive = idx.length > 2 && idx.every((v, i) => i === 0 || v === idx[i - 1] + 1);
  const days = consecutive
    ? `${WEEKDAYS[idx[0]].label}–${WEEKDAYS[idx[idx.length - 1]].label}`
    : idx.map((i) => WEEKDAYS[i].label).join(', ');
  const allDay = (w.from || '00:00') === '00:00' && ['24:00', '00:00', ''].includes(w.to || '');
  return allDay ? `${days} all day` : `${days} ${w.from}–${w.to}`;
}
