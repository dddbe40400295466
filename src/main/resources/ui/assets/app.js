// Flagstate UI: search as you type, copy buttons, relative times, table filters, crawl progress and the
// updates check. Plain JavaScript, no dependencies; every page works without it except /updates.
(function () {
  'use strict';
  var prefix = document.body.getAttribute('data-prefix') || '';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  // ---- search as you type ----------------------------------------------------------------------------
  var DEBOUNCE_MS = 150;
  var SUGGESTIONS = 8;

  function suggest(input) {
    var list = document.getElementById(input.getAttribute('aria-controls'));
    var form = input.form;
    var timer = null, controller = null, active = -1, shownFor = null;

    function options() { return list.querySelectorAll('[role="option"]'); }
    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function select(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      for (var i = 0; i < all.length; i++) all[i].setAttribute('aria-selected', i === active ? 'true' : 'false');
      input.setAttribute('aria-activedescendant', all[active].id);
      all[active].scrollIntoView({ block: 'nearest' });
    }
    function option(id, href, build) {
      var li = el('li');
      li.id = id;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      var a = el('a');
      a.href = href;
      a.tabIndex = -1;
      build(a);
      li.appendChild(a);
      return li;
    }
    function render(query, body) {
      list.textContent = '';
      active = -1;
      var results = body.results || [];
      results.forEach(function (r, i) {
        list.appendChild(option(input.id + '-s' + i, prefix + '/repositories/' + r.name, function (a) {
          if (r.icon && r.icon.indexOf('data:image/') === 0) {
            var img = el('img', 'icon');
            img.src = prefix + '/ui/icon/' + r.name;
            img.alt = '';
            img.width = 32; img.height = 32;
            a.appendChild(img);
          } else {
            a.appendChild(el('span', 'icon placeholder', (r.title || r.name.split('/').pop()).charAt(0).toUpperCase()));
          }
          var text = el('span', 's-text');
          text.appendChild(el('span', 's-title', r.title || r.name.split('/').pop()));
          text.appendChild(el('span', 's-name', r.name));
          if (r.description && r.description !== r.title) text.appendChild(el('span', 's-desc', r.description));
          a.appendChild(text);
        }));
      });
      var all = option(input.id + '-all', prefix + '/search?q=' + encodeURIComponent(query), function (a) {
        a.textContent = results.length ? 'All results for “' + query + '” (' + body.num_results + ')'
          : 'No repository matches “' + query + '”';
      });
      all.className = 's-all';
      list.appendChild(all);
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      shownFor = query;
    }
    function lookup() {
      var query = input.value.trim();
      if (controller) controller.abort();
      controller = null;
      if (!query) { close(); shownFor = null; return; }
      if (query === shownFor && !list.hidden) return;
      var mine = controller = new AbortController();
      fetch(input.getAttribute('data-suggest') + '?n=' + SUGGESTIONS + '&q=' + encodeURIComponent(query),
        { signal: mine.signal, headers: { Accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && controller === mine && input.value.trim() === query) render(query, body);
        })
        .catch(function () { /* aborted or offline: the form still submits */ });
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, DEBOUNCE_MS);
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowDown') {
        event.preventDefault();
        if (list.hidden) { lookup(); return; }
        select(active + 1);
      } else if (event.key === 'ArrowUp') {
        if (!list.hidden) { event.preventDefault(); select(active - 1); }
      } else if (event.key === 'Escape') {
        if (!list.hidden) { event.preventDefault(); close(); }
      } else if (event.key === 'Enter') {
        var all = options();
        if (!list.hidden && active >= 0 && all[active]) {
          event.preventDefault();
          window.location.href = all[active].querySelector('a').href;
        }
      }
    });
    input.addEventListener('blur', function () { setTimeout(function () {
      if (!list.contains(document.activeElement)) close();
    }, 150); });
    input.addEventListener('focus', function () { if (shownFor && input.value.trim() === shownFor) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); } });
    if (form) form.addEventListener('submit', function () { if (controller) controller.abort(); });
  }
  document.querySelectorAll('input[data-suggest]').forEach(suggest);

  // ---- copy buttons ----------------------------------------------------------------------------------
  var announcer = el('div', 'visually-hidden');
  announcer.setAttribute('aria-live', 'polite');
  document.body.appendChild(announcer);

  function fallbackCopy(text) {
    var area = el('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function copied(button, ok) {
    var label = button.getAttribute('data-label') || button.textContent;
    button.setAttribute('data-label', label);
    button.textContent = ok ? 'Copied ✓' : 'Press Ctrl+C';
    button.classList.toggle('copied', ok);
    announcer.textContent = ok ? 'Copied to the clipboard' : 'Copying failed';
    clearTimeout(button._reset);
    button._reset = setTimeout(function () { button.textContent = label; button.classList.remove('copied'); }, 1800);
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-copy]');
    if (!button) return;
    var text = button.getAttribute('data-copy');
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button, true); },
        function () { copied(button, fallbackCopy(text)); });
    } else {
      copied(button, fallbackCopy(text));
    }
  });

  // ---- relative times --------------------------------------------------------------------------------
  var UNITS = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600],
    ['minute', 60], ['second', 1]];
  function relative(date) {
    var seconds = Math.round((date.getTime() - Date.now()) / 1000);
    var format = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat('en', { numeric: 'auto' }) : null;
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(seconds) >= UNITS[i][1] || UNITS[i][0] === 'second') {
        var value = Math.trunc(seconds / UNITS[i][1]); // 18 months ago is "1 year ago", not 2
        if (format) return format.format(value, UNITS[i][0]);
        return Math.abs(value) + ' ' + UNITS[i][0] + (Math.abs(value) === 1 ? '' : 's') + (value < 0 ? ' ago' : ' from now');
      }
    }
    return '';
  }
  function refreshTimes() {
    document.querySelectorAll('time[data-relative]').forEach(function (time) {
      var date = new Date(time.getAttribute('datetime'));
      if (!isNaN(date.getTime())) time.textContent = relative(date);
    });
  }
  refreshTimes();
  setInterval(refreshTimes, 60000);

  // ---- facets: folded on narrow screens, so the results come first (open without JavaScript) -----------
  var facets = document.querySelector('details.facets-box');
  if (facets && window.matchMedia && window.matchMedia('(max-width: 760px)').matches) facets.open = false;

  // ---- table filters ---------------------------------------------------------------------------------
  document.querySelectorAll('input[data-filter]').forEach(function (input) {
    var table = document.getElementById(input.getAttribute('data-filter'));
    if (!table) return;
    input.addEventListener('input', function () {
      var needle = input.value.trim().toLowerCase();
      table.querySelectorAll('tbody tr').forEach(function (row) {
        row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  });

  // ---- first crawl's progress ------------------------------------------------------------------------
  var progress = document.getElementById('crawl-progress');
  if (progress) {
    var poll = function () {
      fetch(progress.getAttribute('data-status'), { cache: 'no-store' })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          var crawler = status.crawler || {};
          if (crawler.syncsCompleted > 0) { window.location.reload(); return; }
          var sync = crawler.sync || {};
          var set = function (selector, text) { var node = progress.querySelector(selector); if (node) node.textContent = text; };
          set('.crawl-done', sync.repositoriesDone || 0);
          set('.crawl-total', sync.repositoriesTotal || 0);
          set('.crawl-eta', sync.etaSeconds >= 0 ? ', about ' + sync.etaSeconds + ' s left' : '');
          set('.crawl-error', crawler.lastError || '');
          var bar = progress.querySelector('.crawl-bar');
          if (bar) { bar.max = Math.max(1, sync.repositoriesTotal || 0); bar.value = sync.repositoriesDone || 0; }
        })
        .catch(function () {})
        .then(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 2000);
  }

  // ---- updates: compared in the browser, nothing pasted leaves it -------------------------------------
  var form = document.getElementById('updates-form');
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      checkUpdates(form, document.getElementById('installed').value, document.getElementById('update-results'));
    });
  }

  var DIGEST = /^sha256:[0-9a-f]{64}$/;
  var COMMIT = /^[0-9a-f]{6,64}$/;

  function withoutHost(name) {
    var parts = name.split('/');
    if (parts.length > 1 && (parts[0].indexOf('.') >= 0 || parts[0].indexOf(':') >= 0 || parts[0] === 'localhost')) {
      parts.shift();
    }
    return parts.join('/');
  }

  /** One pasted line as {kind: 'flatpak', ref, commit} or {kind: 'image', name, tag, digest}, or null. */
  function parseLine(line) {
    var tokens = line.trim().split(/\s+/);
    var first = tokens[0];
    if (!first || /^(REPOSITORY|Ref|Application|Name)$/i.test(first)) return null;
    var last = tokens[tokens.length - 1];
    var commit = tokens.length > 1 && COMMIT.test(last) ? last : null;
    if (/^(app|runtime)\/[^\/]+\/[^\/]+\/[^\/]+$/.test(first)) return { kind: 'flatpak', ref: first, commit: commit };
    if (/^[A-Za-z0-9_.-]+\.[A-Za-z0-9_.-]+\/[^\/]+\/[^\/]+$/.test(first) && first.indexOf('@') < 0 && first.indexOf(':') < 0) {
      return { kind: 'flatpak', ref: 'app/' + first, commit: commit };
    }
    var at = first.indexOf('@');
    if (at > 0 && DIGEST.test(first.substring(at + 1))) {
      var reference = first.substring(0, at);
      var colon = reference.lastIndexOf(':');
      var hasTag = colon > reference.lastIndexOf('/');
      return { kind: 'image', name: withoutHost(hasTag ? reference.substring(0, colon) : reference),
        tag: hasTag ? reference.substring(colon + 1) : 'latest', digest: first.substring(at + 1) };
    }
    if (tokens.length >= 3 && DIGEST.test(tokens[2]) && tokens[1] !== '<none>') {
      return { kind: 'image', name: withoutHost(first), tag: tokens[1], digest: tokens[2] };
    }
    return { kind: 'unknown', text: line.trim() };
  }

  function load(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (response) {
      if (!response.ok) throw new Error('the index answered ' + response.status);
      return response.json();
    });
  }

  function flatpakImages(index) {
    var byRef = {};
    (index.Results || []).forEach(function (result) {
      var add = function (image, tags) {
        var ref = image.Labels && image.Labels['org.flatpak.ref'];
        if (!ref) return;
        (byRef[ref] = byRef[ref] || []).push({ digest: image.Digest, commit: image.Labels['org.flatpak.commit'] || '',
          tags: tags || [], repository: result.Name });
      };
      (result.Images || []).forEach(function (image) { add(image, image.Tags); });
      (result.Lists || []).forEach(function (list) { (list.Images || []).forEach(function (image) { add(image, list.Tags); }); });
    });
    return byRef;
  }

  function imageTags(index) {
    var byTag = {};
    (index.Results || []).forEach(function (result) {
      (result.Images || []).forEach(function (image) {
        (image.Tags || []).forEach(function (tag) { byTag[result.Name + ':' + tag] = { digest: image.Digest, members: [] }; });
      });
      (result.Lists || []).forEach(function (list) {
        var members = (list.Images || []).map(function (image) { return image.Digest; });
        (list.Tags || []).forEach(function (tag) { byTag[result.Name + ':' + tag] = { digest: list.Digest, members: members }; });
      });
    });
    return byTag;
  }

  function short(text) { return text && text.length > 19 ? text.substring(0, 19) + '…' : (text || '–'); }

  function checkUpdates(form, text, out) {
    var items = text.split(/\r?\n/).map(parseLine).filter(function (item) { return item; });
    out.textContent = '';
    if (!items.length) { out.appendChild(el('p', 'notice', 'Paste at least one ref or image first.')); return; }
    var wantsImages = items.some(function (item) { return item.kind === 'image'; });
    var wantsFlatpak = items.some(function (item) { return item.kind === 'flatpak'; });
    out.appendChild(el('p', 'muted', 'Comparing with the index…'));
    var url = wantsImages ? form.getAttribute('data-full-index') : form.getAttribute('data-flatpak-index');
    var index = wantsImages || wantsFlatpak ? load(url) : Promise.resolve({ Results: [] });
    index.then(function (body) {
      var refs = flatpakImages(body), tags = imageTags(body);
      out.textContent = '';
      var table = el('table', 'results');
      var head = table.createTHead().insertRow();
      ['Installed', 'Yours', 'Newest here', 'Status'].forEach(function (title) { var th = el('th', null, title); th.scope = 'col'; head.appendChild(th); });
      var tbody = table.createTBody();
      var newer = 0;
      items.forEach(function (item) {
        var row = tbody.insertRow();
        var what, yours, newest, status, cls;
        if (item.kind === 'flatpak') {
          var images = refs[item.ref] || [];
          var current = images.filter(function (image) { return image.tags.indexOf('latest') >= 0; })[0] || images[0];
          what = item.ref; yours = item.commit || '–';
          if (!current) { newest = '–'; status = 'not in this registry'; cls = 'status-unknown'; }
          else {
            newest = current.commit || current.digest;
            if (!item.commit) { status = 'paste the commit (flatpak list … active) to compare'; cls = 'status-unknown'; }
            else if (current.commit.indexOf(item.commit) === 0 || item.commit.indexOf(current.commit) === 0 && current.commit) {
              status = 'up to date'; cls = 'status-current';
            } else { status = 'newer version available'; cls = 'status-newer'; newer++; }
          }
        } else if (item.kind === 'image') {
          var now = tags[item.name + ':' + item.tag];
          what = item.name + ':' + item.tag; yours = item.digest;
          if (!now) { newest = '–'; status = 'not in this registry'; cls = 'status-unknown'; }
          else {
            newest = now.digest;
            if (now.digest === item.digest || now.members.indexOf(item.digest) >= 0) { status = 'up to date'; cls = 'status-current'; }
            else { status = 'newer version available'; cls = 'status-newer'; newer++; }
          }
        } else {
          what = item.text; yours = '–'; newest = '–'; status = 'not understood'; cls = 'status-unknown';
        }
        [what, short(yours), short(newest)].forEach(function (text, i) {
          var cell = row.insertCell();
          var code = el('code', null, text);
          if (i > 0) code.title = i === 1 ? yours : newest;
          cell.appendChild(code);
        });
        var cell = row.insertCell();
        cell.appendChild(el('span', cls, status));
        row.setAttribute('data-status', cls.replace('status-', ''));
      });
      out.appendChild(el('p', null, newer === 0 ? 'Everything that is in this registry is up to date.'
        : newer + (newer === 1 ? ' item has' : ' items have') + ' a newer version here.'));
      var wrap = el('div', 'table-wrap');
      wrap.appendChild(table);
      out.appendChild(wrap);
    }).catch(function (error) {
      out.textContent = '';
      out.appendChild(el('p', 'notice', 'Could not read the index: ' + error.message));
    });
  }
}());
