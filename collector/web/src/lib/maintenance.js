// The maintenance form's pure part: the fields checked and turned into the body of
// POST /api/v1/maintenance ({"targets": [...], "from": RFC3339, "to": RFC3339, "who", "why"}).
// A window may not start before now (the collector refuses it as well).

// From the form's strings ({targets: "a, b", from: "2026-11-02T08:00", to: ..., who, why}, local
// datetime-local values) and now (ms): {body} or {errors: {field: message}}.
export function maintenanceBody(form, nowMs = Date.now()) {
  const errors = {};
  const targets = (form.targets ?? '').split(/[\s,]+/).filter(Boolean);
  if (!targets.length) errors.targets = 'name at least one service or CI';
  const from = form.from ? new Date(form.from) : null;
  const to = form.to ? new Date(form.to) : null;
  if (!from || Number.isNaN(from.getTime())) errors.from = 'give the start';
  else if (from.getTime() < nowMs - 60_000) errors.from = 'a window may not start in the past';
  if (!to || Number.isNaN(to.getTime())) errors.to = 'give the end';
  else if (from && !(to > from)) errors.to = 'the end must be after the start';
  if (!(form.who ?? '').trim()) errors.who = 'say who schedules it';
  if (!(form.why ?? '').trim()) errors.why = 'say why';
  if (Object.keys(errors).length) return { errors };
  return {
    body: { targets, from: from.toISOString(), to: to.toISOString(), who: form.who.trim(), why: form.why.trim() },
  };
}
