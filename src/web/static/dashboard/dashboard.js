/*
 * Kassa dashboard: live updates. A page whose <body> names a live stream (data-live) listens to it
 * (Server-Sent Events); on "change" it fetches itself again and swaps each [data-live-section]
 * for the new one, except a section the user is typing in, then says so to screen readers.
 */
(function () {
  'use strict';
  var url = document.body.getAttribute('data-live');
  if (!url || !window.EventSource) return;
  var status = document.getElementById('live-status');
  var busy = false;
  var again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, 'text/html');
        var changed = 0;
        fresh.querySelectorAll('[data-live-section]').forEach(function (next) {
          var name = next.getAttribute('data-live-section');
          var current = document.querySelector('[data-live-section="' + name + '"]');
          if (!current) return;
          if (current.contains(document.activeElement) && document.activeElement !== document.body) return;
          if (current.innerHTML === next.innerHTML) return;
          current.replaceWith(document.importNode(next, true));
          changed++;
        });
        if (changed && status) status.textContent = 'Updated ' + new Date().toLocaleTimeString();
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var source = new EventSource(url);
  source.addEventListener('change', refresh);
  document.body.setAttribute('data-live-state', 'connecting');
  source.addEventListener('open', function () { document.body.setAttribute('data-live-state', 'open'); });
})();
