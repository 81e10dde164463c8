// The login form: credentials go to Kibana's login route as JSON (with `kbn-xsrf`), which sets
// the HttpOnly session cookie; then the browser goes where it was headed.

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = form.username.value;
  const password = form.password.value;
  if (!username || !password) {
    error.textContent = 'Enter your username and password.';
    error.hidden = false;
    return;
  }
  const next = new URLSearchParams(window.location.search).get('next') || '/app/management';
  const resp = await fetch('/internal/security/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'kbn-xsrf': 'true' },
    body: JSON.stringify({ providerType: 'basic', providerName: 'basic', currentURL: next, params: { username, password } }),
  });
  if (resp.ok) {
    const { location } = await resp.json();
    window.location.assign(location);
    return;
  }
  error.textContent = resp.status === 401 ? 'Username or password is incorrect. Please try again.' : 'Login failed. Please try again.';
  error.hidden = false;
  form.password.select();
});
