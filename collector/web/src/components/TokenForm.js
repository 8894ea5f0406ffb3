// Asks for the API token when the collector wants one (it listens beyond loopback); kept for this tab.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { setToken } from '../api.js';

export function TokenForm({ message, onToken }) {
  const [value, setValue] = useState('');
  const submit = (e) => {
    e.preventDefault();
    setToken(value.trim());
    onToken();
  };
  return html`<form onSubmit=${submit}>
    <p role="alert">${message}</p>
    <label>API token <input type="password" autocomplete="off" value=${value} onInput=${(e) => setValue(e.target.value)} /></label>
    <button type="submit">Use it</button>
  </form>`;
}
