// Progressive enhancement for the desk: live lists and timelines (server-sent events from
// /desk/live, driven by the same NOTIFY as the outbox), j/k through lists, r to reply.
// Without this script every page works the same by reload.
(function () {
  var live = document.getElementById('desk-live');
  var results = document.getElementById('desk-results');
  var current = -1;

  function rows() {
    return results ? Array.prototype.slice.call(results.querySelectorAll('a.row-link')) : [];
  }

  function refresh() {
    if (!results) return;
    var focusedKey = null;
    var active = document.activeElement;
    if (active && active.classList && active.classList.contains('row-link')) {
      var row = active.closest('[data-key]');
      focusedKey = row ? row.getAttribute('data-key') : null;
    }
    fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (text) {
        if (!text) return;
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var fresh = doc.getElementById('desk-results');
        if (!fresh) return;
        results.innerHTML = fresh.innerHTML;
        if (focusedKey) {
          var again = results.querySelector('[data-key="' + focusedKey + '"] a.row-link');
          if (again) again.focus();
        }
        if (live) live.textContent = 'Updated ' + new Date().toLocaleTimeString();
        document.documentElement.setAttribute('data-live-updates', String(Number(document.documentElement.getAttribute('data-live-updates') || '0') + 1));
      })
      .catch(function () {});
  }

  if (live && window.EventSource) {
    var ticket = live.getAttribute('data-ticket');
    var source = new EventSource('/desk/live' + (ticket ? '?ticket=' + encodeURIComponent(ticket) : ''));
    source.addEventListener('ready', function () {
      document.documentElement.setAttribute('data-live', 'on');
    });
    source.addEventListener('changed', refresh);
  }

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : '';
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || (target && target.isContentEditable)) return;
    if (event.key === 'j' || event.key === 'k') {
      var list = rows();
      if (!list.length) return;
      var at = list.indexOf(document.activeElement);
      if (at >= 0) current = at;
      current = event.key === 'j' ? Math.min(list.length - 1, current + 1) : Math.max(0, current - 1);
      list[current].focus();
      event.preventDefault();
    } else if (event.key === 'r') {
      var reply = document.getElementById('desk-reply');
      if (reply) {
        reply.focus();
        event.preventDefault();
      }
    }
  });
})();
