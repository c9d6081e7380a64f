(function () {
  'use strict';
  const form = document.getElementById('search-form');
  const query = document.getElementById('query');
  const kInput = document.getElementById('k');
  const labelSelect = document.getElementById('label');
  const submit = document.getElementById('submit');
  const fileInput = document.getElementById('image-file');
  const status = document.getElementById('status');
  const results = document.getElementById('results');
  const viewer = document.getElementById('viewer');
  let shown = null; // the hit in the larger view
  let searchNo = 0; // answers of older searches are dropped

  function setStatus(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  /** k and label from the form. */
  function params() {
    const p = new URLSearchParams();
    p.set('k', kInput.value || '12');
    if (labelSelect.value !== '') p.set('label', labelSelect.value);
    return p;
  }

  async function readJson(response) {
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      throw new Error(body && body.error ? body.error : 'The server answered ' + response.status);
    }
    return body;
  }

  function render(body, what) {
    results.replaceChildren();
    const hits = body.results || [];
    if (hits.length === 0) {
      setStatus('No images found for ' + what + '.', false);
      return;
    }
    setStatus(hits.length + ' images for ' + what + ', best first.', false);
    hits.forEach(function (hit, i) {
      const fig = document.createElement('figure');
      fig.className = 'result';
      fig.dataset.id = hit.id;
      fig.tabIndex = 0;
      const img = document.createElement('img');
      img.className = 'result-image';
      img.src = hit.url;
      img.alt = hit.labelName;
      img.dataset.id = hit.id;
      img.dataset.rank = String(i + 1);
      img.title = hit.id + ': ' + hit.labelName;
      const cap = document.createElement('figcaption');
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = hit.labelName;
      name.title = hit.labelName;
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = hit.score.toFixed(3);
      cap.append(name, score);
      fig.append(img, cap);
      fig.addEventListener('click', function () { open(hit); });
      fig.addEventListener('keydown', function (e) { if (e.key === 'Enter') open(hit); });
      results.append(fig);
    });
  }

  /** The larger view of a result: image, class, id, score and "find similar". */
  function open(hit) {
    shown = hit;
    document.getElementById('viewer-image').src = hit.url;
    document.getElementById('viewer-image').alt = hit.labelName;
    document.getElementById('viewer-name').textContent = hit.labelName + ' (' + hit.label + ')';
    document.getElementById('viewer-id').textContent = hit.id;
    document.getElementById('viewer-score').textContent = hit.score.toFixed(4);
    if (!viewer.open) viewer.showModal();
  }

  async function run(request, what) {
    const mine = ++searchNo;
    submit.disabled = true;
    setStatus('Searching…', false);
    try {
      const body = await readJson(await request());
      if (mine === searchNo) render(body, what);
    } catch (e) {
      if (mine === searchNo) {
        results.replaceChildren();
        setStatus(e.message, true);
      }
    } finally {
      if (mine === searchNo) submit.disabled = false;
    }
  }

  /** Runs the search the address describes (?q= or ?similar=, with k and label). */
  function runAddress() {
    const p = new URLSearchParams(location.search);
    const q = (p.get('q') || '').trim();
    const similar = p.get('similar') || '';
    if (p.has('k')) kInput.value = p.get('k');
    setLabel(p.get('label') || '');
    query.value = q;
    const api = params();
    if (similar !== '') {
      api.set('id', similar);
      run(function () { return fetch('/api/search/similar?' + api.toString()); },
        'images like ' + similar);
    } else if (q !== '') {
      api.set('q', q);
      run(function () { return fetch('/api/search?' + api.toString()); }, '"' + q + '"');
    } else {
      searchNo++;
      results.replaceChildren();
      setStatus('', false);
    }
  }

  /** Selects a label, adding it to the list if the labels have not arrived yet. */
  function setLabel(value) {
    if (value !== '' && !Array.from(labelSelect.options).some(function (o) { return o.value === value; })) {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = 'class ' + value;
      labelSelect.append(o);
    }
    labelSelect.value = value;
  }

  /** Records a search in the address (Back and Forward return to it), then runs it. */
  function go(p) {
    history.pushState(null, '', '?' + p.toString());
    runAddress();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    const q = query.value.trim();
    if (q === '') {
      setStatus('Type what the images should show.', true);
      return;
    }
    const p = new URLSearchParams();
    p.set('q', q);
    params().forEach(function (v, k) { p.set(k, v); });
    go(p);
  });

  document.getElementById('find-similar').addEventListener('click', function () {
    if (!shown) return;
    viewer.close();
    const p = new URLSearchParams();
    p.set('similar', shown.id);
    params().forEach(function (v, k) { p.set(k, v); });
    go(p);
  });

  viewer.addEventListener('click', function (e) {
    if (e.target === viewer) viewer.close(); // a click on the backdrop
  });

  window.addEventListener('popstate', function () {
    if (viewer.open) viewer.close();
    runAddress();
  });

  fileInput.addEventListener('change', function () {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    if (file.size > 10 * 1024 * 1024) {
      setStatus('The image is too large (at most 10 MB).', true);
      return;
    }
    run(function () {
      return fetch('/api/search/image?' + params().toString(), {
        method: 'POST',
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
        body: file
      });
    }, 'the uploaded image');
  });

  fetch('/api/info').then(readJson).then(function (info) {
    document.getElementById('table-info').textContent =
      info.rows.toLocaleString('en') + ' images in table ' + info.table;
  }).catch(function () { /* the page works without it */ });

  fetch('/api/labels').then(readJson).then(function (labels) {
    const chosen = labelSelect.value;
    Array.from(labelSelect.options).forEach(function (o) { if (o.value !== '') o.remove(); });
    labels.forEach(function (l) {
      const o = document.createElement('option');
      o.value = String(l.label);
      o.textContent = l.name + ' (' + l.label + ')';
      o.title = l.name;
      labelSelect.append(o);
    });
    setLabel(chosen);
  }).catch(function () { /* no filter list */ });

  runAddress(); // a shared link opens on its results
})();
