// The application shell: client-side routing between the management pages, the navigation
// shown according to the user's privileges, and logout.

import { h } from './dom.js';
import { request } from './api.js';

const body = document.body;
export const session = {
  username: body.dataset.username,
  canRead: body.dataset.canReadSecurity === 'true',
  canManage: body.dataset.canManageSecurity === 'true',
  canManageSpaces: body.dataset.canManageSpaces === 'true',
};

const pages = [
  [/^\/app\/management\/roles\/edit(?:\/([^/]+))?$/, () => import('./role-form.js'), 'rolePage', true],
  [/^\/app\/management\/roles$/, () => import('./roles.js'), 'rolesPage', true],
  [/^\/app\/management\/users\/edit(?:\/([^/]+))?$/, () => import('./users.js'), 'userPage', true],
  [/^\/app\/management\/users$/, () => import('./users.js'), 'usersPage', true],
  [/^\/app\/management\/spaces\/edit(?:\/([^/]+))?$/, () => import('./spaces.js'), 'spacePage', false],
  [/^\/app\/management\/spaces$/, () => import('./spaces.js'), 'spacesPage', false],
  [/^\/app\/management\/explain$/, () => import('./explain.js'), 'explainPage', false],
];

const main = document.getElementById('main');

function home() {
  return session.canRead ? '/app/management/roles' : '/app/management/spaces';
}

export function navigate(path) {
  window.history.pushState({}, '', path);
  render();
}

async function render() {
  let path = window.location.pathname.replace(/\/+$/, '');
  if (path === '/app/management') {
    path = home();
    window.history.replaceState({}, '', path);
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (path.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const found = pages.find(([re]) => re.test(path));
  if (!found) {
    main.replaceChildren(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: home() }, 'Go to Stack Management')));
    return;
  }
  const [re, load, name, needsRead] = found;
  if (needsRead && !session.canRead) {
    main.replaceChildren(h('h1', {}, 'Access denied'),
      h('p', { class: 'callout' }, 'You need the read_security or manage_security cluster privilege to view this page.'));
    return;
  }
  const param = re.exec(path)[1];
  let view;
  try {
    const module = await load();
    view = await module[name](param === undefined ? undefined : decodeURIComponent(param));
  } catch (err) {
    view = [h('h1', {}, 'Something went wrong'), h('p', { class: 'callout error-callout', role: 'alert' }, err.message)];
  }
  main.replaceChildren(...[view].flat());
  const heading = main.querySelector('h1');
  document.title = `${heading ? heading.textContent : 'Stack Management'} · Rampart`;
  main.focus({ preventScroll: true });
}

for (const li of document.querySelectorAll('#nav [data-needs="read"]')) li.hidden = !session.canRead;

// Same-page links are handled here so navigation keeps the loaded modules.
document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[href^="/app/management"]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);

document.getElementById('logout').addEventListener('click', async () => {
  await request('POST', '/internal/security/logout').catch(() => {});
  window.location.assign('/login');
});

render();
