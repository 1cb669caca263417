// The web map in a real browser: Debian's Chromium, headless, WebGL through SwiftShader,
// driven by playwright-core. Builds the maps with the borderwatch binary, opens them from disk
// (file://) and checks what an analyst would see and do. Run by scripts/browser_test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bin = process.env.BORDERWATCH_BIN || join(root, 'target', 'debug', 'borderwatch');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = join(root, 'target', 'browser-artifacts');
const fixture = join(here, 'fixtures', 'incidents.csv');
// Month- and week-precision dates, unknown fatalities, clusters of both, one unlocated incident.
const precisionFixture = join(here, 'fixtures', 'precision.csv');
const work = mkdtempSync(join(tmpdir(), 'borderwatch-web-'));

const run = (...args) => execFileSync(bin, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let browser;
// A map that never loads fails its test instead of hanging the run. Five minutes: on two cores
// shared with builds, SwiftShader takes up to 20 s a frame-settled wait, and a test waits 5–15 times.
const LIMIT = { timeout: 300000 };

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  run('web', '--out', join(work, 'site'), '--single-file', join(work, 'map.html'));
  run('web', '--incidents', fixture, '--single-file', join(work, 'fixture.html'));
  run('web', '--incidents', precisionFixture, '--single-file', join(work, 'precision.html'));
  // Sites too: the page unpacks their incidents; layers/incidents.geojson is what it must give.
  run('web', '--incidents', fixture, '--out', join(work, 'fixture-site'));
  run('web', '--incidents', precisionFixture, '--out', join(work, 'precision-site'));
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
});
after(async () => { if (browser) await browser.close(); });

// Opens a page, logging every request, error and CSP violation, and waits until the map is idle.
async function open(file, { hash = '', viewport = { width: 1280, height: 800 } } = {}) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const seen = { requests: [], errors: [], dialogs: [], violations: [] };
  await page.route('**/*', (route) => {
    const url = route.request().url();
    seen.requests.push(url);
    return /^(file|data|blob):/.test(url) ? route.continue() : route.abort();
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss(); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  });
  await page.goto(pathToFileURL(file).href + hash);
  await page.waitForFunction(() => window.borderwatch !== undefined, null, { timeout: 30000 });
  await within(page.evaluate(() => window.borderwatch.loaded), 'the map to load');
  await idle(page);
  seen.violations = await page.evaluate(() => window.__violations);
  return { page, seen };
}

// A promise that fails after 60 s instead of waiting for ever.
function within(promise, what) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`waited 60 s for ${what}`)), 60000); });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// Waits for the map's next idle: every source loaded, every frame drawn.
const idle = (page) => within(page.evaluate(() => new Promise((resolve) => {
  const map = window.borderwatch.map;
  map.once('idle', resolve);
  map.triggerRepaint();
})), 'the map to be idle');

// Incidents drawn now: single points (by row, once however many tiles draw them) plus the
// members of clusters, each counted once.
const rendered = (page) => page.evaluate(() => {
  const map = window.borderwatch.map;
  const points = new Set(), clusters = new Map();
  for (const f of map.queryRenderedFeatures({ layers: ['incidents', 'incident-clusters'] })) {
    if (f.properties.cluster) clusters.set(f.properties.cluster_id, f.properties);
    else points.add(f.properties.row);
  }
  let incidents = points.size;
  for (const c of clusters.values()) incidents += c.point_count;
  return { incidents, clusters: clusters.size, points: points.size };
});

// A screenshot's pixel statistics over the map (the top-left width × height): variance, and
// pixels of the AF–TJ border's red. A canvas captured before drawing is uniform and has neither.
async function pixels(page, png, width, height) {
  const probe = await browser.newPage();
  const stats = await probe.evaluate(async ({ b64, width, height }) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width; canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, width, height || img.height).data;
    let sum = 0, sum2 = 0, red = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const y = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sum += y; sum2 += y * y;
      if (Math.abs(data[i] - 0xb2) < 30 && data[i + 1] < 70 && Math.abs(data[i + 2] - 0x2b) < 40) red++;
    }
    return { variance: sum2 / n - (sum / n) ** 2, red };
  }, { b64: png.toString('base64'), width, height });
  await probe.close();
  return stats;
}

const offMachine = (seen) => seen.requests.filter((u) => !/^(file|data|blob):/.test(u));

test('the single file shows the border region and the corpus incidents from disk, offline', LIMIT, async () => {
  const { page, seen } = await open(join(work, 'map.html'));
  assert.deepEqual(offMachine(seen), [], 'no request leaves the machine');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.violations, [], 'the Content-Security-Policy is never violated');
  const counts = await rendered(page);
  assert.equal(counts.incidents, 6, 'the six located corpus incidents are drawn (points + cluster members)');
  const border = await page.evaluate(() => window.borderwatch.map.queryRenderedFeatures({ layers: ['border-af-tj'] }).length);
  assert.ok(border > 0, 'the Afghanistan–Tajikistan border is drawn');
  const labels = await page.evaluate(() => window.borderwatch.map.queryRenderedFeatures({ layers: ['places'] }).map((f) => f.properties.name));
  assert.ok(labels.includes('Tajikistan') && labels.includes('Kunduz'), `place labels drawn: ${labels.slice(0, 10)}`);
  assert.match(await page.textContent('#unlocated'), /2017-10 · Battles/, 'the unlocated incident is listed, dated to its month');
  const png = await page.screenshot();
  writeFileSync(join(artifacts, 'web-map.png'), png);
  if (process.env.UPDATE_SCREENSHOTS) copyFileSync(join(artifacts, 'web-map.png'), join(root, 'docs', 'web-map.png'));
  const stats = await pixels(page, png, 1280 - 360);
  assert.ok(stats.variance > 100, `the map is not blank (variance ${stats.variance.toFixed(1)})`);
  assert.ok(stats.red > 500, `the border is visible (${stats.red} border-red pixels)`);
  await page.close();
});

test('a blank canvas fails the pixel check', LIMIT, async () => {
  const page = await browser.newPage({ viewport: { width: 400, height: 300 } });
  await page.setContent('<body style="margin:0;background:#d6e6f0"></body>');
  const stats = await pixels(page, await page.screenshot(), 400);
  assert.ok(stats.variance < 1 && stats.red === 0, JSON.stringify(stats));
  await page.close();
});

test('the static site works from disk too, with every layer beside it', LIMIT, async () => {
  const { page, seen } = await open(join(work, 'site', 'index.html'));
  assert.deepEqual(offMachine(seen), []);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.violations, []);
  assert.equal((await rendered(page)).incidents, 6);
  const layer = JSON.parse(readFileSync(join(work, 'site', 'layers', 'incidents.geojson'), 'utf8'));
  assert.equal(layer.features.length, 6);
  await page.close();
});

test('the time slider, filters and clusters agree with the data', LIMIT, async () => {
  const { page } = await open(join(work, 'fixture.html'));
  const all = await rendered(page);
  assert.equal(all.incidents, 9);
  assert.ok(all.clusters >= 1, 'the two Khorog incidents cluster at this zoom');
  const clusterTotal = await page.evaluate(() => {
    const map = window.borderwatch.map;
    return map.queryRenderedFeatures({ layers: ['incident-clusters'] }).reduce((s, f) => s + f.properties.fatalities, 0);
  });
  assert.equal(clusterTotal, 8, 'clusterProperties sums fatalities (Khorog: 0 + 8)');

  const setRange = async (id, iso) => {
    await page.evaluate(({ id, iso }) => {
      const input = document.getElementById(id);
      input.value = window.borderwatch.dayOf(iso);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, { id, iso });
    await idle(page);
  };
  await setRange('to', '2021-12-31');
  assert.equal((await rendered(page)).incidents, 6, 'up to the end of 2021: T-01..T-06');
  await setRange('from', '2021-03-01');
  assert.equal((await rendered(page)).incidents, 4, '2021-03-01..2021-12-31: T-03..T-06');
  await page.click('#reset');
  await idle(page);
  assert.equal((await rendered(page)).incidents, 9);

  await page.uncheck('input[name=type][value="Battles"]');
  await idle(page);
  assert.equal((await rendered(page)).incidents, 5, 'without the four battles');
  await page.check('input[name=type][value="Battles"]');
  await page.selectOption('#actor', 'Taliban');
  await idle(page);
  assert.equal((await rendered(page)).incidents, 4, 'Taliban as actor 1 or 2: T-01, T-02, T-06, T-09');
  assert.match(await page.textContent('#unlocated'), /2023-03-03/, 'the unlocated Taliban incident is listed');
  await page.selectOption('#actor', '');
  await page.selectOption('#country', 'Tajikistan');
  await idle(page);
  assert.equal((await rendered(page)).incidents, 5, 'in Tajikistan: T-03, T-05, T-07, T-08, T-09');
  const legend = await page.textContent('#legend');
  assert.match(legend, /Battles \(1\)/);

  // The URL hash reproduces the map: the same filters in a new page.
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /country=Tajikistan/);
  const again = await open(join(work, 'fixture.html'), { hash });
  assert.equal((await rendered(again.page)).incidents, 5);
  assert.equal(await again.page.inputValue('#country'), 'Tajikistan');
  await again.page.close();
  await page.close();
});

test('play runs the time slider to the end', LIMIT, async () => {
  const { page } = await open(join(work, 'fixture.html'));
  await page.click('#play');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
  await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'false', null, { timeout: 30000 });
  await idle(page);
  assert.equal((await rendered(page)).incidents, 9);
  await page.close();
});

test('popups show data text literally and run none of it', LIMIT, async () => {
  const { page, seen } = await open(join(work, 'fixture.html'));
  // Zoom in on T-09 so it is a single point, then click it as a user would.
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [70.79, 38.44], zoom: 11 }));
  await idle(page);
  const at = await page.evaluate(() => window.borderwatch.map.project([70.79, 38.44]));
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.maplibregl-popup');
  const popup = page.locator('.maplibregl-popup');
  const text = await popup.textContent();
  assert.ok(text.includes('<img src=x onerror=alert(1)>'), text);
  assert.ok(text.includes('<script>alert(2)</script>'), text);
  assert.ok(text.includes('Test fixture <b>bold</b>'), text);
  assert.match(text, /Date2022-08-30/);
  assert.equal(await popup.locator('img, script, svg, b').count(), 0, 'no element made from data');
  assert.equal(await popup.locator('a[href^="javascript"]').count(), 0, 'no javascript: link');
  assert.equal(await page.locator('#unlocated img').count(), 0);
  assert.match(await page.textContent('#unlocated'), /<img src=x onerror=alert\(3\)>/);
  await page.waitForTimeout(300);
  assert.deepEqual(seen.dialogs, [], 'no script from data ran');
  await page.close();
});

// Opens the popup of the single incident at [lon, lat] (zoomed in past clustering), returns its
// fields as { label: value } and closes it.
async function popupAt(page, lonLat) {
  await page.evaluate((center) => window.borderwatch.map.jumpTo({ center, zoom: 13 }), lonLat);
  await idle(page);
  const at = await page.evaluate((p) => window.borderwatch.map.project(p), lonLat);
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.maplibregl-popup');
  const fields = await page.$$eval('.maplibregl-popup dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  await page.click('.maplibregl-popup-close-button');
  return fields;
}

// The first day of the months of P-01, P-06 and P-07: exports write them, the page must not.
const MONTHS_AS_DAYS = /2019-03-01|2020-07-01|2021-02-01/;

test('dates are shown as exact as the data: day, week of a day, month', LIMIT, async () => {
  const { page, seen } = await open(join(work, 'precision.html'));
  assert.deepEqual(seen.errors, []);
  assert.equal(await page.textContent('#from-label'), '2019-03', 'the slider starts at a month-precision incident');
  assert.equal(await page.textContent('#to-label'), '2021-02', 'and ends at one');
  assert.match(await page.textContent('#unlocated'), /^2020-07 · Battles/, 'the unlocated list');
  assert.equal((await popupAt(page, [69.80, 37.10])).Date, '2019-03', 'P-01, month');
  assert.equal((await popupAt(page, [69.82, 37.11])).Date, '2019-03-10', 'P-02, day');
  assert.equal((await popupAt(page, [69.81, 37.12])).Date, 'week of 2019-05-15', 'P-03, week');
  assert.equal((await popupAt(page, [69.78, 37.91])).Date, '2021-02', 'P-07, month');
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [69.81, 37.11], zoom: 8 }));
  await idle(page);
  await page.click('#radius-pick');
  await page.fill('#radius-km', '20');
  const at = await page.evaluate(() => window.borderwatch.map.project([69.81, 37.11]));
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('#radius-list li');
  const listed = await page.$$eval('#radius-list li', (items) => items.map((li) => li.textContent.split(' · ')[1]).sort());
  assert.deepEqual(listed, ['2019-03', '2019-03-10', 'week of 2019-05-15'], 'the within-R-km list');
  assert.doesNotMatch(await page.evaluate(() => document.body.innerText), MONTHS_AS_DAYS, 'no month shown as its first day');
  // Inside the range the slider stands at a day, and says so.
  await page.evaluate(() => {
    const input = document.getElementById('to');
    input.value = Number(input.max) - 1;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  assert.equal(await page.textContent('#to-label'), '2021-01-31');
  await page.close();
});

// Each cluster drawn now: its properties, its label as drawn, and its members' fatalities as
// the data has them (null: unknown), found by row.
const clustersDrawn = (page) => page.evaluate(async () => {
  const map = window.borderwatch.map;
  const labels = map.style.getLayer('incident-cluster-labels').layout.get('text-field');
  const clusters = [];
  for (const f of map.queryRenderedFeatures({ layers: ['incident-clusters'] })) {
    const leaves = await map.getSource('incidents').getClusterLeaves(f.properties.cluster_id, Infinity, 0);
    clusters.push({
      properties: f.properties,
      at: map.project(f.geometry.coordinates),
      label: String(labels.evaluate({ type: 1, properties: f.properties }, {})),
      members: leaves.map((l) => window.borderwatch.properties(l.properties.row).fatalities ?? null),
    });
  }
  return clusters;
});

test('unknown fatalities are counted apart, never summed as 0', LIMIT, async () => {
  const { page, seen } = await open(join(work, 'precision.html'));
  assert.deepEqual(seen.errors, []);
  const clusters = await clustersDrawn(page);
  const texts = [];
  for (const c of clusters) {
    const known = c.members.filter((f) => f !== null);
    const unknown = c.members.length - known.length;
    const sum = known.reduce((a, b) => a + b, 0);
    assert.equal(c.properties.fatalities, sum, 'the sum of the known');
    assert.equal(c.properties.unknown_fatalities, unknown, 'the unknown, counted');
    assert.equal(c.label, c.properties.point_count + '\n' + sum + (unknown ? '+' : '') + '†', 'the label says "at least" when some are unknown');
    await page.mouse.click(c.at.x, c.at.y);
    await page.waitForSelector('.maplibregl-popup');
    const text = await page.textContent('.maplibregl-popup');
    texts.push(text);
    assert.match(text, new RegExp('^' + c.members.length + ' incidentsFatalities' + (unknown ? `at least ${sum} \\(${unknown} unknown\\)` : sum) + 'Zoom in'));
    await page.click('.maplibregl-popup-close-button');
  }
  // The fixture's two clusters: P-01..P-03 (4, 2 and one unknown), P-04..P-05 (both unknown).
  assert.ok(texts.some((t) => t.includes('at least 6 (1 unknown)')), texts.join(' | '));
  assert.ok(texts.some((t) => t.includes('at least 0 (2 unknown)')), texts.join(' | '));
  // "Zoom in" in a cluster's popup zooms in to where it splits.
  const [first] = clusters;
  const before = await page.evaluate(() => window.borderwatch.map.getZoom());
  await page.mouse.click(first.at.x, first.at.y);
  await page.click('.maplibregl-popup button');
  await page.waitForFunction((z) => window.borderwatch.map.getZoom() > z && !window.borderwatch.map.isMoving(), before, { timeout: 60000 });
  await idle(page);
  assert.equal(await page.locator('.maplibregl-popup').count(), 0, 'the popup closed');
  // A single incident's unknown is "unknown", a known 0 is 0.
  assert.equal((await popupAt(page, [70.75, 36.70])).Fatalities, 'unknown', 'P-08');
  assert.equal((await popupAt(page, [69.78, 37.91])).Fatalities, '0', 'P-07');
  await page.close();
});

// The legend's counts (by type, as the page wrote them) and its line about the rest.
const legend = (page) => page.evaluate(() => ({
  counts: Object.fromEntries(Array.from(document.querySelectorAll('#legend li[data-count]'), (li) => [li.dataset.type, Number(li.dataset.count)])),
  text: document.getElementById('legend').textContent,
  off: document.getElementById('legend-off').textContent,
  listed: document.querySelectorAll('#unlocated li:not(.note)').length,
}));
const total = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

test('the legend counts the incidents drawn; those without a place apart', LIMIT, async () => {
  for (const [file, drawn, battles] of [['map.html', 6, 5], ['precision.html', 7, 2]]) {
    const { page } = await open(join(work, file));
    assert.equal((await rendered(page)).incidents, drawn, file);
    const l = await legend(page);
    assert.equal(total(l.counts), drawn, `${file}: the legend adds up to what the map draws`);
    assert.match(l.text, new RegExp(`Battles \\(${battles}\\)`), `${file}: the unlocated battle is not counted on the map`);
    assert.equal(l.listed, 1, file);
    assert.match(l.off, /^1 not on the map/, file);
    await page.uncheck('input[name=type][value="Battles"]');
    await idle(page);
    const without = await legend(page);
    assert.equal(total(without.counts), (await rendered(page)).incidents, `${file}: without battles`);
    assert.equal(without.off, '', `${file}: the unlocated battle is filtered out too`);
    await page.close();
  }
});

// CIE 1976 ΔE between two #rrggbb colours (sRGB, D65): about 2 is just noticeable, 10 is
// "same colour, another shade", past 25 they read as different colours.
function deltaE(a, b) {
  const lab = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    const xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883];
    const [x, y, z] = xyz.map((t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116));
    return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
  };
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}
const DIFFERENT_COLOURS = 25;

test('clusters have a colour no event type has, or comes near', LIMIT, async () => {
  assert.ok(deltaE('#3b3b3b', '#525252') < DIFFERENT_COLOURS, 'the check catches the old cluster grey');
  const { page } = await open(join(work, 'precision.html'));
  const { cluster, types, swatch } = await page.evaluate(() => {
    const map = window.borderwatch.map;
    // The incidents' circle-color: ['match', ['get', 'event_type'], type, colour, ..., fallback].
    const match = map.getPaintProperty('incidents', 'circle-color');
    return {
      cluster: map.getPaintProperty('incident-clusters', 'circle-color'),
      types: match.slice(2).filter((v) => /^#[0-9a-f]{6}$/i.test(v)),
      swatch: getComputedStyle(document.querySelector('#legend li.cluster .swatch')).backgroundColor,
    };
  });
  assert.equal(types.length, 7, 'six ACLED types and the fallback');
  for (const colour of types) {
    const d = deltaE(cluster, colour);
    assert.ok(d >= DIFFERENT_COLOURS, `cluster ${cluster} vs event-type ${colour}: ΔE ${d.toFixed(1)}`);
  }
  const rgb = [1, 3, 5].map((i) => parseInt(cluster.slice(i, i + 2), 16)).join(', ');
  assert.equal(swatch, `rgb(${rgb})`, 'the legend shows the cluster colour');
  await page.close();
});

test('within R km of a clicked point lists incidents with the CLI\'s geodesic distances', LIMIT, async () => {
  const { page } = await open(join(work, 'fixture.html'));
  await page.click('#radius-pick');
  await page.fill('#radius-km', '100');
  const at = await page.evaluate(() => window.borderwatch.map.project([71.0, 37.8]));
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('#radius-list li');
  const listed = await page.$$eval('#radius-list li', (items) => items.map((li) => ({ id: li.dataset.id, km: Number(li.dataset.km) })));
  const status = await page.textContent('#radius-status');
  const [lat, lon] = status.match(/of (-?[\d.]+), (-?[\d.]+)/).slice(1).map(Number);
  // The same query through the CLI (Karney's algorithm) from the point the page used.
  const clicked = await page.evaluate(() => window.borderwatch.radiusCentre());
  const cli = run('near', '--incidents', fixture, '--at', `${clicked[1]},${clicked[0]}`, '--km', '100', '--format', 'json')
    .trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(Math.abs(clicked[1] - lat) < 1e-4 && Math.abs(clicked[0] - lon) < 1e-4);
  assert.equal(listed.length, cli.length, status);
  assert.ok(listed.length >= 3, status);
  // Both round to metres: Vincenty in the page, Karney in the CLI, equal to well under that.
  cli.forEach((hit, i) => {
    assert.equal(listed[i].id, hit.event_id_cnty);
    assert.ok(Math.abs(hit.distance_km - listed[i].km) <= 0.0011, `${hit.distance_km} vs ${listed[i].km}`);
  });
  assert.ok(await page.evaluate(() => window.borderwatch.map.queryRenderedFeatures({ layers: ['radius-line'] }).length > 0), 'the ring is drawn');
  await page.close();
});

test('downloads hold the filtered incidents as CSV and GeoJSON', LIMIT, async () => {
  const { page } = await open(join(work, 'fixture.html'));
  await page.selectOption('#country', 'Afghanistan');
  await idle(page);
  const save = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    const path = join(work, download.suggestedFilename());
    await download.saveAs(path);
    return readFileSync(path, 'utf8');
  };
  const csv = await save('#download-csv');
  const lines = csv.trim().split(/\r\n/);
  assert.equal(lines.length, 1 + 4, 'header + T-01, T-02, T-04, T-06');
  assert.match(lines[0], /^event_id_cnty,event_date,/);
  const geojson = JSON.parse(await save('#download-geojson'));
  assert.equal(geojson.type, 'FeatureCollection');
  assert.deepEqual(geojson.features.map((f) => f.properties.event_id_cnty), ['T-01', 'T-02', 'T-04', 'T-06']);
  await page.close();
});

test('a phone screen gets the map above keyboard-reachable controls', LIMIT, async () => {
  const { page, seen } = await open(join(work, 'map.html'), { viewport: { width: 390, height: 844 } });
  assert.deepEqual(seen.errors, []);
  assert.equal((await rendered(page)).incidents > 0, true);
  const toggle = page.locator('#panel-toggle');
  assert.ok(await toggle.isVisible());
  await toggle.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#panel').isVisible(), false, 'Enter on the toggle closes the panel');
  assert.equal(await page.evaluate(() => window.borderwatch.map.getCanvas().clientHeight), 844, 'the map takes the screen');
  await page.keyboard.press('Enter');
  assert.ok(await page.locator('#panel').isVisible());
  // Tab order reaches the time slider.
  await page.locator('#play').focus();
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'to');
  const png = await page.screenshot();
  writeFileSync(join(artifacts, 'web-map-phone.png'), png);
  const stats = await pixels(page, png, 390, 844 * 0.4);
  assert.ok(stats.variance > 100 && stats.red > 100, `the map shows above the panel: ${JSON.stringify(stats)}`);
  await page.close();
});

test('the page unpacks its incidents into the features of the GeoJSON layer, exactly', LIMIT, async () => {
  for (const site of ['site', 'fixture-site', 'precision-site']) {
    const { page, seen } = await open(join(work, site, 'index.html'));
    assert.deepEqual(seen.errors, [], site);
    assert.deepEqual(seen.violations, [], site);
    const unpacked = await page.evaluate(() => JSON.stringify(window.borderwatch.incidents));
    const layer = JSON.stringify(JSON.parse(readFileSync(join(work, site, 'layers', 'incidents.geojson'), 'utf8')));
    // The same text: the same members in the same order with the same values (unicode,
    // `<img>`-style text, empty and unknown values, month and week dates, null fatalities).
    assert.equal(unpacked, layer, site);
    await page.close();
  }
});

// --- 100,000 incidents: a deterministic ACLED-like CSV (a linear congruential generator).
const BIG = 100000;
const BIG_LIMIT_BYTES = 15e6;
// The goal: the map with every incident ready at most 2 s after the empty map. On this
// project's two shared cores it measures about 1.9 s when they are quiet and up to 4–5 s when
// other builds load them (bench/README.md, "Web map at 100k"), so the test prints the figure
// and fails only past a guard above that (the page that gave MapLibre every property measured
// 2.7–7.5 s, the GeoJSON page 16 s); READY_BUDGET_MS=2000 asks for the goal itself.
const READY_BUDGET_MS = Number(process.env.READY_BUDGET_MS || 6000);
function bigCsv(n) {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (items) => items[Math.floor(next() * items.length)];
  const types = ['Battles', 'Violence against civilians', 'Explosions/Remote violence', 'Riots', 'Protests', 'Strategic developments'];
  const actors = ['Taliban', 'Military Forces of Tajikistan', 'Police Forces of Afghanistan', 'Islamic State Khorasan', 'Protesters (Tajikistan)', 'Civilians (Afghanistan)'];
  const places = [['Afghanistan', 'Kunduz', 'Qala-i-Zal'], ['Afghanistan', 'Takhar', 'Dasht-e-Qala'], ['Afghanistan', 'Badakhshan', 'Kuf Ab'],
    ['Tajikistan', 'Khatlon', 'Panj'], ['Tajikistan', 'Gorno-Badakhshan', 'Khorog'], ['Tajikistan', 'Gorno-Badakhshan', 'Darvoz']];
  const lines = ['event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,admin2,location,latitude,longitude,geo_precision,fatalities,notes,source'];
  const start = Date.UTC(2015, 0, 1);
  for (let i = 1; i <= n; i++) {
    const [country, admin1, admin2] = pick(places);
    const date = new Date(start + Math.floor(next() * 4000) * 86400000).toISOString().slice(0, 10);
    const fatalities = next() < 0.1 ? '' : String(Math.floor(next() * next() * 30));
    const lat = (36.6 + next() * 2.3).toFixed(5), lon = (67.6 + next() * 7.2).toFixed(5);
    const notes = `"Incident ${i} near ${admin2}, ""as reported"""`;
    lines.push([`B-${i}`, date, 1, pick(types), 'Armed clash', pick(actors), next() < 0.35 ? '' : pick(actors), country, admin1, admin2,
      `near ${admin2}`, lat, lon, 1 + Math.floor(next() * 3), fatalities, notes, 'Generated'].join(','));
  }
  return lines.join('\n') + '\n';
}

// Milliseconds from the page's start until its map is ready: loaded, then idle (every source
// loaded, every frame drawn).
async function readyMs(file) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(pathToFileURL(file).href, { timeout: 120000 });
  const ms = await page.evaluate(async () => {
    while (!window.borderwatch) await new Promise((resolve) => setTimeout(resolve, 10));
    await window.borderwatch.loaded;
    await new Promise((resolve) => {
      window.borderwatch.map.once('idle', resolve);
      window.borderwatch.map.triggerRepaint();
    });
    return performance.now();
  });
  return { page, ms };
}

test(`${BIG} incidents: a single file of at most 15 MB, every incident on the map, quickly`, LIMIT, async () => {
  const csv = join(work, 'big.csv');
  writeFileSync(csv, bigCsv(BIG));
  writeFileSync(join(work, 'empty.csv'), bigCsv(0));
  run('web', '--incidents', csv, '--single-file', join(work, 'big.html'));
  run('web', '--incidents', join(work, 'empty.csv'), '--single-file', join(work, 'empty.html'));
  const bytes = statSync(join(work, 'big.html')).size;
  assert.ok(bytes <= BIG_LIMIT_BYTES, `the single file is ${(bytes / 1e6).toFixed(1)} MB`);
  // Alternately, twice each; the best of each, on a machine others share.
  const times = { empty: [], big: [] };
  for (let round = 0; round < 2; round++) {
    for (const name of ['empty', 'big']) {
      const { page, ms } = await readyMs(join(work, name + '.html'));
      times[name].push(ms);
      if (name === 'big' && round === 0) {
        assert.equal((await rendered(page)).incidents, BIG, 'every incident is drawn (points + cluster members)');
        assert.equal(await page.evaluate(() => window.borderwatch.incidents.features.length), BIG);
      }
      await page.close();
    }
  }
  const [empty, big] = [Math.min(...times.empty), Math.min(...times.big)];
  console.log(`# ${BIG} incidents: ${(bytes / 1e6).toFixed(2)} MB; ready ${big.toFixed(0)} ms, the empty map ${empty.toFixed(0)} ms ` +
    `(${JSON.stringify(times)})`);
  assert.ok(big - empty <= READY_BUDGET_MS, `ready ${(big - empty).toFixed(0)} ms after the empty map`);
});
