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

  function setStatus(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

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
      const img = document.createElement('img');
      img.className = 'result-image';
      img.src = hit.url;
      img.alt = hit.labelName;
      img.dataset.id = hit.id;
      img.dataset.rank = String(i + 1);
      img.title = hit.id;
      const cap = document.createElement('figcaption');
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = hit.labelName;
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = hit.score.toFixed(3);
      cap.append(name, score);
      fig.append(img, cap);
      results.append(fig);
    });
  }

  async function run(request, what) {
    submit.disabled = true;
    setStatus('Searching…', false);
    try {
      render(await readJson(await request()), what);
    } catch (e) {
      results.replaceChildren();
      setStatus(e.message, true);
    } finally {
      submit.disabled = false;
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    const q = query.value.trim();
    if (q === '') {
      setStatus('Type what the images should show.', true);
      return;
    }
    const p = params();
    p.set('q', q);
    run(function () { return fetch('/api/search?' + p.toString()); }, '"' + q + '"');
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
    labels.forEach(function (l) {
      const o = document.createElement('option');
      o.value = String(l.label);
      o.textContent = l.name + ' (' + l.label + ')';
      labelSelect.append(o);
    });
  }).catch(function () { /* no filter list */ });
})();
