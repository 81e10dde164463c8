// The roles list: name, reserved badge, description, a search box, delete with confirmation.

import { h, confirmDialog } from './dom.js';
import { kibana, enc } from './api.js';
import { session } from './app.js';

export async function rolesPage() {
  const roles = await kibana.get('/api/security/role');
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const search = h('input', { type: 'search', id: 'role-search', placeholder: 'Search roles…' });
  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const shown = roles.filter((r) => r.name.toLowerCase().includes(q) || (r.description || '').toLowerCase().includes(q));
    tbody.replaceChildren(...shown.map((r) => row(r)));
    status.textContent = `${shown.length} of ${roles.length} roles`;
  };
  const row = (role) => {
    const reserved = Boolean(role.metadata?._reserved);
    const href = `/app/management/roles/edit/${enc(role.name)}`;
    const del = session.canManage && !reserved
      ? h('button', {
        type: 'button', class: 'danger small', 'aria-label': `Delete role ${role.name}`,
        onclick: async () => {
          if (!(await confirmDialog(`Delete role ${role.name}?`, 'Users with this role lose its privileges. This cannot be undone.', 'Delete role'))) return;
          try {
            await kibana.del(`/api/security/role/${enc(role.name)}`);
            roles.splice(roles.indexOf(role), 1);
            draw();
            status.textContent = `Deleted role ${role.name}`;
          } catch (err) {
            status.textContent = `Could not delete role ${role.name}: ${err.message}`;
          }
        },
      }, 'Delete')
      : null;
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href }, role.name), reserved ? h('span', { class: 'badge', title: 'Reserved roles are built in and cannot be changed' }, 'Reserved') : null),
      h('td', {}, role.description || ''),
      h('td', {}, del));
  };
  search.addEventListener('input', draw);
  draw();
  return [
    h('div', { class: 'page-head' },
      h('h1', {}, 'Roles'),
      session.canManage ? h('a', { class: 'button primary', href: '/app/management/roles/edit' }, 'Create role') : null),
    h('p', { class: 'muted' }, 'Roles are collections of privileges; users receive the union of their roles.'),
    h('div', { class: 'field inline' }, h('label', { for: 'role-search' }, 'Search roles'), search),
    status,
    h('table', { class: 'list' },
      h('caption', { class: 'visually-hidden' }, 'Roles'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Description'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      tbody),
  ];
}
