// Progressive enhancement for the catalog search: filter as you type. Without this
// script the search box is a plain GET form (?q=) answered by the server.
(() => {
  var input = document.getElementById('q');
  var status = document.getElementById('result-count');
  if (!input || !status) return;
  var items = Array.prototype.slice.call(document.querySelectorAll('.type[data-search]'));
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.queue'));
  input.addEventListener('input', () => {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach((item) => {
      var text = item.getAttribute('data-search') || '';
      var match = words.every((w) => text.indexOf(w) !== -1);
      item.hidden = !match;
      if (match) shown++;
    });
    sections.forEach((section) => {
      section.hidden = !section.querySelector('.type:not([hidden])');
    });
    status.textContent = words.length ? shown + (shown === 1 ? ' request type matches.' : ' request types match.') : `${shown} request types.`;
  });
})();
