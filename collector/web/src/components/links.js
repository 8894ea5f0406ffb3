// Links to the pages of catalogue objects.
import { html } from '../html.js';

export const href = (kind, id) => `#/${kind}/${encodeURIComponent(id)}`;
// The print view of an SLA's report for a period.
export const printHref = (sla, label) => `#/print/${encodeURIComponent(sla)}/${encodeURIComponent(label)}`;
export const ServiceLink = ({ id }) => html`<a href=${href('services', id)}>${id}</a>`;
export const CiLink = ({ id }) => html`<a href=${href('cis', id)}>${id}</a>`;
export const ProbeLink = ({ id }) => html`<a href=${href('probes', id)}>${id}</a>`;

// A map of objects by id, from one of the catalogue's arrays.
export const byId = (items, key = 'id') => new Map(items.map((x) => [x[key], x]));
