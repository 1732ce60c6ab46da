// vigil dashboard: small progressive enhancements. Every page works without
// this file; with it, the feed receives alerts live (Server-Sent Events from
// /api/v1/stream) and filter menus apply on change. No third-party code.
(function () {
  'use strict';

  function incidentHref(id) {
    return '/incidents/' + String(id).split('/').map(encodeURIComponent).join('/');
  }

  // Builds the same markup as the server's alert items, with text nodes
  // only (article text never becomes HTML).
  function alertItem(alert) {
    var incident = (alert.payload && alert.payload.incident) || {};
    var li = document.createElement('li');
    li.className = 'alert new';
    var watchlist = document.createElement('span');
    watchlist.className = 'watchlist';
    watchlist.textContent = alert.watchlist || '';
    var link = document.createElement('a');
    link.href = incidentHref(alert.incident);
    var label = String(incident.type || 'incident').replace(/_/g, ' ');
    if (incident.place) {
      label += ' in ' + incident.place;
    }
    link.textContent = label;
    var time = document.createElement('time');
    time.textContent = String(alert.created || '').replace('T', ' ').slice(0, 16) + ' UTC';
    li.appendChild(watchlist);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(link);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(time);
    return li;
  }

  function startLive(section) {
    var list = document.getElementById('alerts');
    var state = document.getElementById('live-state');
    var baseTitle = document.title;
    var unseen = 0;
    var source = new EventSource(section.getAttribute('data-stream'));
    function setState(text) {
      if (state) {
        state.textContent = text;
      }
      section.setAttribute('data-state', text);
    }
    source.addEventListener('open', function () {
      setState('live');
    });
    source.addEventListener('error', function () {
      setState(source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting');
    });
    source.addEventListener('alert', function (event) {
      var alert;
      try {
        alert = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      list.insertBefore(alertItem(alert), list.firstChild);
      var none = document.getElementById('no-alerts');
      if (none) {
        none.parentNode.removeChild(none);
      }
      if (document.hidden) {
        unseen += 1;
        document.title = '(' + unseen + ') ' + baseTitle;
      }
    });
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) {
        unseen = 0;
        document.title = baseTitle;
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var live = document.getElementById('live');
    if (live && window.EventSource) {
      startLive(live);
    }
    var selects = document.querySelectorAll('form.filters select');
    Array.prototype.forEach.call(selects, function (select) {
      select.addEventListener('change', function () {
        select.form.submit();
      });
    });
  });
})();
