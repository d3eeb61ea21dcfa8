// Progressive enhancement for the desk: live lists and timelines (server-sent events from
// /desk/live, driven by the same NOTIFY as the outbox), j/k through lists, r to reply.
// Without this script every page works the same by reload.
(() => {
  const live = document.getElementById('desk-live');
  const results = document.getElementById('desk-results');
  let current = -1;

  function rows() {
    return results ? Array.prototype.slice.call(results.querySelectorAll('a.row-link')) : [];
  }

  function refresh() {
    if (!results) return;
    let focusedKey = null;
    const active = document.activeElement;
    if (active?.classList?.contains('row-link')) {
      const row = active.closest('[data-key]');
      focusedKey = row ? row.getAttribute('data-key') : null;
    }
    // A ticket's workspace asks for its changing part alone (?part=results); a list, for the page.
    const url = live?.getAttribute('data-live') === 'ticket' ? `${window.location.pathname}?part=results` : window.location.href;
    fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then((response) => response.ok ? response.text() : null)
      .then((text) => {
        if (!text) return;
        const doc = new DOMParser().parseFromString(text, 'text/html');
        const fresh = doc.getElementById('desk-results');
        if (!fresh) return;
        results.innerHTML = fresh.innerHTML;
        if (focusedKey) {
          const again = results.querySelector(`[data-key="${focusedKey}"] a.row-link`);
          if (again) again.focus();
        }
        if (live) live.textContent = `Updated ${new Date().toLocaleTimeString()}`;
        document.documentElement.setAttribute('data-live-updates', String(Number(document.documentElement.getAttribute('data-live-updates') || '0') + 1));
      })
      .catch(() => {});
  }

  if (live && window.EventSource) {
    const ticket = live.getAttribute('data-ticket');
    const source = new EventSource(`/desk/live${ticket ? `?ticket=${encodeURIComponent(ticket)}` : ''}`);
    source.addEventListener('ready', () => {
      document.documentElement.setAttribute('data-live', 'on');
    });
    source.addEventListener('changed', refresh);
  }

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const tag = target?.tagName ? target.tagName.toLowerCase() : '';
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || (target?.isContentEditable)) return;
    if (event.key === 'j' || event.key === 'k') {
      const list = rows();
      if (!list.length) return;
      const at = list.indexOf(document.activeElement);
      if (at >= 0) current = at;
      current = event.key === 'j' ? Math.min(list.length - 1, current + 1) : Math.max(0, current - 1);
      list[current].focus();
      event.preventDefault();
    } else if (event.key === 'r') {
      const reply = document.getElementById('desk-reply');
      if (reply) {
        reply.focus();
        event.preventDefault();
      }
    }
  });
})();
