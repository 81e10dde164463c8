// Users list and create/edit user (Elasticsearch user API through the console proxy):
// enable/disable, change password, delete with confirmation.

import { h, field, tokenInput, showError, clearErrors, confirmDialog } from './dom.js';
import { kibana, es, enc } from './api.js';
import { session, navigate } from './app.js';

export async function usersPage() {
  const users = Object.values(await es('GET', '/_security/user'));
  users.sort((a, b) => a.username.localeCompare(b.username));
  const status = h('p', { role: 'status', class: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const draw = () => tbody.replaceChildren(...users.map((u) => {
    const reserved = Boolean(u.metadata?._reserved);
    const actions = session.canManage ? [
      h('button', {
        type: 'button', class: 'small', 'aria-label': `${u.enabled ? 'Disable' : 'Enable'} user ${u.username}`,
        onclick: async () => {
          try {
            await es('PUT', `/_security/user/${enc(u.username)}/${u.enabled ? '_disable' : '_enable'}`);
            u.enabled = !u.enabled;
            status.textContent = `User ${u.username} ${u.enabled ? 'enabled' : 'disabled'}`;
            draw();
          } catch (err) { status.textContent = err.message; }
        },
      }, u.enabled ? 'Disable' : 'Enable'),
      reserved ? null : h('button', {
        type: 'button', class: 'small danger', 'aria-label': `Delete user ${u.username}`,
        onclick: async () => {
          if (!(await confirmDialog(`Delete user ${u.username}?`, 'The user can no longer log in. This cannot be undone.', 'Delete user'))) return;
          try {
            await es('DELETE', `/_security/user/${enc(u.username)}`);
            users.splice(users.indexOf(u), 1);
            status.textContent = `Deleted user ${u.username}`;
            draw();
          } catch (err) { status.textContent = err.message; }
        },
      }, 'Delete'),
    ] : null;
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `/app/management/users/edit/${enc(u.username)}` }, u.username), reserved ? h('span', { class: 'badge' }, 'Reserved') : null),
      h('td', {}, u.full_name || ''),
      h('td', {}, u.email || ''),
      h('td', {}, (u.roles || []).join(', ')),
      h('td', {}, u.enabled ? 'Enabled' : 'Disabled'),
      h('td', {}, actions));
  }));
  draw();
  return [
    h('div', { class: 'page-head' }, h('h1', {}, 'Users'),
      session.canManage ? h('a', { class: 'button primary', href: '/app/management/users/edit' }, 'Create user') : null),
    status,
    h('table', { class: 'list' }, h('caption', { class: 'visually-hidden' }, 'Users'),
      h('thead', {}, h('tr', {}, ['Username', 'Full name', 'Email', 'Roles', 'Status'].map((c) => h('th', { scope: 'col' }, c)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      tbody),
  ];
}

/** Where an Elasticsearch user-API message belongs. */
function userField(message) {
  if (/password/i.test(message)) return 'password';
  if (/role/i.test(message)) return 'roles';
  if (/email/i.test(message)) return 'email';
  if (/user ?name|\[username\]|principal/i.test(message)) return 'username';
  return 'form';
}

export async function userPage(name) {
  const creating = name === undefined;
  const [found, roles] = await Promise.all([
    creating ? null : es('GET', `/_security/user/${enc(name)}`),
    kibana.get('/api/security/role').catch(() => []),
  ]);
  const user = creating ? { username: '', full_name: '', email: '', roles: [], metadata: {} } : found[name];
  const readOnly = !session.canManage || Boolean(user.metadata?._reserved);
  const errors = new Map();
  const username = h('input', { type: 'text', value: user.username, readonly: !creating || readOnly, autocomplete: 'off' });
  const fullName = h('input', { type: 'text', value: user.full_name || '', readonly: readOnly });
  const email = h('input', { type: 'email', value: user.email || '', readonly: readOnly });
  const password = h('input', { type: 'password', autocomplete: 'new-password' });
  const roleInput = tokenInput({ values: user.roles || [], suggestions: roles.map((r) => r.name), readOnly });
  const formError = h('p', { class: 'error', role: 'alert', hidden: true });
  errors.set('form', { error: formError, control: formError });
  const status = h('p', { role: 'status', class: 'status', 'aria-live': 'polite' });

  const submit = async (e) => {
    e.preventDefault();
    clearErrors(errors);
    const body = { roles: roleInput.get(), full_name: fullName.value || null, email: email.value || null };
    if (creating) body.password = password.value;
    const missing = [];
    if (!username.value.trim()) missing.push(['username', 'Username is required.']);
    if (creating && !password.value) missing.push(['password', 'Password is required.']);
    if (missing.length) {
      for (const [k, m] of missing) showError(errors, k, m);
      errors.get(missing[0][0]).control.focus();
      return;
    }
    try {
      await es('PUT', `/_security/user/${enc(username.value.trim())}`, body);
      navigate('/app/management/users');
    } catch (err) {
      const key = userField(err.message);
      showError(errors, key, err.message);
      errors.get(key)?.control.focus();
    }
  };

  const changePassword = h('input', { type: 'password', autocomplete: 'new-password' });
  const pwErrors = new Map();
  const pwStatus = h('p', { role: 'status', class: 'status', 'aria-live': 'polite' });
  const passwordSection = !creating && !readOnly ? h('section', { 'aria-labelledby': 'sec-pw' },
    h('h2', { id: 'sec-pw' }, 'Change password'),
    field('New password', changePassword, { key: 'password', errors: pwErrors }),
    h('button', {
      type: 'button',
      onclick: async () => {
        clearErrors(pwErrors);
        try {
          await es('POST', `/_security/user/${enc(user.username)}/_password`, { password: changePassword.value });
          changePassword.value = '';
          pwStatus.textContent = 'Password changed.';
        } catch (err) { showError(pwErrors, 'password', err.message); }
      },
    }, 'Change password'), pwStatus) : null;

  return [
    h('form', { novalidate: true, onsubmit: submit },
      h('h1', {}, creating ? 'Create user' : readOnly ? `User ${user.username}` : `Edit user ${user.username}`),
      readOnly ? h('p', { class: 'callout' }, user.metadata?._reserved ? 'Reserved users are built in; only their password and status can change.' : 'Editing users requires the manage_security cluster privilege.') : null,
      field('Username', username, { key: 'username', errors }),
      field('Full name', fullName, { key: 'full_name', errors }),
      field('Email', email, { key: 'email', errors }),
      creating ? field('Password', password, { key: 'password', errors, help: 'At least 6 characters.' }) : null,
      field('Roles', roleInput, { key: 'roles', errors, help: 'Type a role name and press Enter.' }),
      formError, status,
      h('div', { class: 'actions' },
        readOnly ? null : h('button', { type: 'submit', class: 'primary' }, creating ? 'Create user' : 'Update user'),
        h('a', { class: 'button', href: '/app/management/users' }, readOnly ? 'Back to users' : 'Cancel'))),
    passwordSection,
  ];
}
