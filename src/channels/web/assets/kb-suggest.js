// Progressive enhancement for the request form: suggest help articles as the summary is typed.
// Without this script the "Check for answers" button asks the server for the same list.
(() => {
  var form = document.querySelector('form.request');
  var title = document.getElementById('in-title');
  var box = document.getElementById('kb-suggestions');
  if (!form || !title || !box) return;
  var list = box.querySelector('ul');
  var heading = document.getElementById('kb-suggestions-title');
  var shown = form.querySelector('input[name="shown"]');
  var query = form.querySelector('input[name="kb_query"]');
  var token = form.querySelector('input[name="token"]');
  var type = form.getAttribute('action').split('/').pop();
  var timer = null;
  var last = '';

  function render(items, q) {
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!items.length) {
      box.hidden = true;
      return;
    }
    heading.textContent = 'These might answer it';
    items.forEach((item) => {
      var li = document.createElement('li');
      li.className = 'type';
      li.setAttribute('lang', item.lang);
      var h = document.createElement('h3');
      var a = document.createElement('a');
      a.href = `/kb/${item.slug}?from=web`;
      a.target = '_blank';
      a.rel = 'noopener';
      a.textContent = item.title;
      h.appendChild(a);
      var p = document.createElement('p');
      p.textContent = item.snippet;
      var b = document.createElement('button');
      b.type = 'submit';
      b.className = 'secondary small';
      b.setAttribute('formaction', `/kb/solved?slug=${encodeURIComponent(item.slug)}`);
      b.setAttribute('formnovalidate', '');
      b.textContent = 'That solved it';
      li.appendChild(h);
      li.appendChild(p);
      li.appendChild(b);
      list.appendChild(li);
      var seen = shown.value ? shown.value.split(',') : [];
      if (seen.indexOf(item.slug) === -1) seen.push(item.slug);
      shown.value = seen.join(',');
    });
    query.value = q;
    box.hidden = false;
  }

  title.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      var q = title.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 3) return render([], q);
      var url = `/kb/suggest?q=${encodeURIComponent(q)}&type=${encodeURIComponent(type)}&t=${encodeURIComponent(token.value)}`;
      fetch(url, { headers: { accept: 'application/json' } })
        .then((r) => r.ok ? r.json() : { items: [] })
        .then((body) => { if (title.value.trim() === q) render(body.items || [], q); })
        .catch(() => {});
    }, 300);
  });
})();
