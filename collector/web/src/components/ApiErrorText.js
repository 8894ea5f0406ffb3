// An API error as the page shows it.
import { html } from '../html.js';

export const ApiErrorText = ({ error }) => html`<p class="error" role="alert">The collector's API answered: ${error.message}</p>`;
